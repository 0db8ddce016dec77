//! What `patron bench vouchers` measured, and how it is printed.

use crate::areas::groupbuy::{self, reconcile};

/// Latencies of one kind of request, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Timed {
    pub count: u64,
    pub errors: u64,
    pub secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Write requests per commit during the phase (SQLite batches them; PostgreSQL is 1).
    pub requests_per_commit: f64,
}

impl Timed {
    pub(super) fn new(mut latencies: Vec<u32>, errors: u64, secs: f64, per_commit: f64) -> Timed {
        latencies.sort_unstable();
        let pct = |p: f64| crate::bench::percentile(&latencies, p);
        Timed {
            count: latencies.len() as u64,
            errors,
            secs,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            max_ms: latencies.last().map_or(0.0, |us| f64::from(*us) / 1000.0),
            requests_per_commit: per_commit,
        }
    }

    fn per_sec(&self) -> f64 {
        self.count as f64 / self.secs.max(1e-9)
    }
}

/// What was measured.
#[derive(Debug, Clone)]
pub struct VoucherReport {
    pub backend: &'static str,
    pub vouchers: u64,
    pub sale_size: u64,
    pub desks: usize,
    pub tills: usize,
    pub month: String,
    pub print_secs: f64,
    pub request_secs: f64,
    pub approve_secs: f64,
    pub prepare_secs: f64,
    pub hand_over_secs: f64,
    pub receive_secs: f64,
    pub stamp_secs: f64,
    pub sales: Timed,
    pub releases: Timed,
    pub deposit_secs: f64,
    pub redeems: Timed,
    pub figures_secs: f64,
    pub figures: reconcile::MonthFigures,
    pub sign_department_secs: f64,
    pub sign_finance_secs: f64,
    pub check_secs: f64,
    pub check: groupbuy::check::VoucherCheck,
    pub database_bytes: u64,
}

fn yuan(fen: i64) -> String {
    patron_core::Fen(fen).plain()
}

impl VoucherReport {
    /// The lines of printing, the requisition and stamping.
    fn fmt_stock(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let requisition = self.request_secs
            + self.approve_secs
            + self.prepare_secs
            + self.hand_over_secs
            + self.receive_secs;
        writeln!(f, "backend              {}", self.backend)?;
        writeln!(
            f,
            "vouchers             {} × ¥100 in sales of {}, month {}",
            self.vouchers, self.sale_size, self.month
        )?;
        writeln!(
            f,
            "print series         {:.2} s ({:.0} vouchers/s)",
            self.print_secs,
            self.vouchers as f64 / self.print_secs.max(1e-9)
        )?;
        writeln!(
            f,
            "requisition          {:.2} s (request {:.2}, approve {:.2}, prepare {:.2}, hand over {:.2}, receive {:.2})",
            requisition,
            self.request_secs,
            self.approve_secs,
            self.prepare_secs,
            self.hand_over_secs,
            self.receive_secs
        )?;
        writeln!(f, "stamp                {:.2} s", self.stamp_secs)?;
        Ok(())
    }

    /// The lines of the phases over HTTP: sales, releases, the deposit slip and redeems.
    fn fmt_http(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "range sales via HTTP {} sales in {:.2} s from {} desks, {} errors",
            self.sales.count, self.sales.secs, self.desks, self.sales.errors
        )?;
        writeln!(
            f,
            "  sales/s            {:.1} ({:.0} vouchers/s)",
            self.sales.per_sec(),
            self.sales.per_sec() * self.sale_size as f64
        )?;
        writeln!(
            f,
            "  latency p50 / p99  {:.1} ms / {:.1} ms (max {:.1} ms)",
            self.sales.p50_ms, self.sales.p99_ms, self.sales.max_ms
        )?;
        writeln!(
            f,
            "  requests/commit    {:.1}",
            self.sales.requests_per_commit
        )?;
        writeln!(
            f,
            "releases via HTTP    {} in {:.2} s, {} errors ({:.1}/s, {:.0} vouchers/s)",
            self.releases.count,
            self.releases.secs,
            self.releases.errors,
            self.releases.per_sec(),
            self.releases.per_sec() * self.sale_size as f64
        )?;
        writeln!(
            f,
            "  latency p50 / p99  {:.1} ms / {:.1} ms (max {:.1} ms)",
            self.releases.p50_ms, self.releases.p99_ms, self.releases.max_ms
        )?;
        writeln!(
            f,
            "sold in all          {} vouchers in {:.2} s ({:.0} vouchers/s, sale + release)",
            self.figures.counts.sold,
            self.sales.secs + self.releases.secs,
            self.figures.counts.sold as f64 / (self.sales.secs + self.releases.secs).max(1e-9)
        )?;
        writeln!(f, "deposit slip         {:.3} s", self.deposit_secs)?;
        writeln!(
            f,
            "redeems via HTTP     {} in {:.2} s from {} tills, {} errors",
            self.redeems.count, self.redeems.secs, self.tills, self.redeems.errors
        )?;
        writeln!(f, "  redeems/s          {:.0}", self.redeems.per_sec())?;
        writeln!(
            f,
            "  latency p50 / p99  {:.2} ms / {:.2} ms (max {:.1} ms)",
            self.redeems.p50_ms, self.redeems.p99_ms, self.redeems.max_ms
        )?;
        writeln!(
            f,
            "  requests/commit    {:.1}",
            self.redeems.requests_per_commit
        )?;
        Ok(())
    }

    /// The lines of the month's reconciliation, the check and the database's size.
    fn fmt_month(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.figures.counts;
        writeln!(
            f,
            "reconcile {}      figures {:.3} s, department signs {:.3} s, finance signs {:.3} s",
            self.month, self.figures_secs, self.sign_department_secs, self.sign_finance_secs
        )?;
        writeln!(
            f,
            "  figures            opening {} + received {} − sold {} − rebated {} − written off {} = closing {} ({})",
            c.opening,
            c.received,
            c.sold,
            c.rebated,
            c.written_off,
            c.closing,
            if c.balances() {
                "balances"
            } else {
                "DOES NOT BALANCE"
            }
        )?;
        writeln!(
            f,
            "  amounts            sold ¥{}, deposited ¥{}, redeemed {} for ¥{}",
            yuan(self.figures.sold_fen),
            yuan(self.figures.deposited_fen),
            self.figures.redeemed,
            yuan(self.figures.redeemed_fen)
        )?;
        writeln!(
            f,
            "patron check         {:.3} s: {} vouchers, {} movements, {} closed month(s), {}",
            self.check_secs,
            self.check.vouchers,
            self.check.movements,
            self.check.months_checked,
            if self.check.ok() { "ok" } else { "DIFFERENCES" }
        )?;
        write!(
            f,
            "database size        {:.1} MB",
            self.database_bytes as f64 / 1_048_576.0
        )
    }
}

impl std::fmt::Display for VoucherReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fmt_stock(f)?;
        self.fmt_http(f)?;
        self.fmt_month(f)
    }
}
