//! Flows in a real headless Chromium: the scripts in `tests/browser/` (playwright-core), run
//! with node from the repository root.

use std::process::Command;

/// True, and says so, when browser tests are to be skipped: `PATRON_SKIP_BROWSER=1`, never in CI.
pub fn browser_skipped() -> bool {
    if std::env::var("PATRON_SKIP_BROWSER").is_ok_and(|v| v == "1") && std::env::var("CI").is_err()
    {
        eprintln!("PATRON_SKIP_BROWSER=1: browser test skipped (never in CI)");
        return true;
    }
    false
}

/// Runs `tests/browser/<script>` with the variables `env` (and `SCREENSHOT_DIR` from
/// `PATRON_SCREENSHOTS` when set), asserts that the flow succeeded and returns what it printed.
pub async fn run_browser_flow(script: &str, env: &[(&str, &str)]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/browser").join(script))
        .current_dir(&root)
        .envs(env.iter().copied());
    if let Ok(dir) = std::env::var("PATRON_SCREENSHOTS") {
        cmd.env("SCREENSHOT_DIR", dir);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect(
            "node must be installed, with `npm ci` run in the repository root (bash .ci/run does both)",
        );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser flow failed:\n{stdout}\n{stderr}"
    );
    stdout
}
