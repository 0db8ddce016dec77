//! `patron report NAME [--from D] [--to D] [--store CODE] [--tier CODE] [--by DIM]
//! [--format xlsx|csv] [--out FILE] [--lang zh-CN|en]`: a report as a file, the same sheet the
//! console shows; `patron report rfm --segment CODE` writes the segment's members (any number of
//! rows) with a progress bar, recorded among the exports like one started in the console.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::areas::reports::exports::{self, SegmentExport};
use crate::areas::reports::{self, Params};
use crate::web::export::{self as export, ExportFormat};
use crate::web::i18n::Lang;

pub struct ReportArgs {
    pub name: String,
    pub params: Params,
    pub segment: Option<String>,
    pub format: String,
    pub out: Option<PathBuf>,
    pub lang: String,
}

pub async fn report(dir: &std::path::Path, a: ReportArgs) -> anyhow::Result<ExitCode> {
    let format = ExportFormat::parse(&a.format)
        .ok_or_else(|| anyhow::anyhow!("--format is xlsx or csv, not {:?}", a.format))?;
    let lang = Lang::parse(&a.lang).ok_or_else(|| anyhow::anyhow!("--lang is zh-CN or en"))?;
    let def = reports::find(&a.name).map_err(|_| {
        let names: Vec<&str> = reports::REPORTS.iter().map(|r| r.name).collect();
        anyhow::anyhow!(
            "no report {:?}; the reports are: {}",
            a.name,
            names.join(", ")
        )
    })?;
    let app = super::open(dir).await?;
    let ctx = super::cli_ctx(&app);
    let result = async {
        if let Some(segment) = &a.segment {
            let spec = SegmentExport {
                segment: segment.clone(),
                store: a.params.store.clone().unwrap_or_default(),
            };
            let id = exports::record(&ctx, &spec, format, lang).await?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message(format!("rfm-{segment}"));
            let b = bar.clone();
            let progress = exports::progress(move |done, total| {
                b.set_length(total.max(done));
                b.set_position(done);
            });
            let done = exports::write(&ctx, id, &spec, Some(progress)).await?;
            bar.finish();
            let from = exports::folder(&ctx).join(&done.file);
            let to = a.out.clone().unwrap_or_else(|| PathBuf::from(&done.file));
            std::fs::copy(&from, &to).map_err(|e| reports::ReportError::io(&to, e))?;
            println!("{} rows written to {}", done.rows_done, to.display());
            return Ok::<_, anyhow::Error>(());
        }
        let (_, sheet) = reports::run(&ctx, def, &a.params, lang).await?;
        let rows = sheet.rows.len();
        let table = sheet.table(def.name, lang);
        let bytes = export::bytes(&table, format).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let to = a
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.{}", def.name, format.ext())));
        std::fs::write(&to, bytes)?;
        println!("{rows} rows written to {}", to.display());
        Ok(())
    }
    .await;
    app.db.close().await;
    result.map(|()| ExitCode::SUCCESS)
}
