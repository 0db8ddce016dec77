//! Every timed job there is, one line per area. The scheduler, `patron job` and the tests take
//! this list; an area adds its jobs to its own `JOBS` and one line here.

use chrono::NaiveDate;

use crate::jobs::{self, Job, JobError, Progress, RunReport};
use crate::kernel::ctx::App;

const AREAS: &[&[Job]] = &[
    crate::areas::points::jobs::JOBS,
    crate::areas::gifts::jobs::JOBS,
    crate::areas::rewards::jobs::JOBS,
    crate::notify::jobs::JOBS,
    crate::areas::groupbuy::jobs::JOBS,
    crate::areas::partners::jobs::JOBS,
    crate::areas::customers::files::jobs::JOBS,
    crate::areas::customers::callbacks::jobs::JOBS,
    crate::areas::customers::visits::jobs::JOBS,
    crate::areas::plans::jobs::JOBS,
    crate::areas::complaints::jobs::JOBS,
    crate::areas::care::jobs::JOBS,
    crate::areas::backup::jobs::JOBS,
    crate::areas::reports::jobs::JOBS,
];

/// The jobs of every area, in one list (built once).
pub fn all() -> &'static [Job] {
    static ALL: std::sync::LazyLock<Vec<Job>> =
        std::sync::LazyLock::new(|| AREAS.iter().flat_map(|jobs| jobs.iter().copied()).collect());
    &ALL
}

/// Runs the job called `name` for the business date `today` (see `jobs::run`).
pub async fn run(
    app: &App,
    name: &str,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, JobError> {
    jobs::run(app, all(), name, today, progress).await
}
