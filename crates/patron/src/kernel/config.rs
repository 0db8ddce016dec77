//! Configuration: defaults → `patron.toml` in the data directory → `PATRON_*` environment.
//!
//! The result is passed in (never global). A bad or missing setting stops start-up with one line
//! that names the setting. Secrets live in their own owner-only file (`secrets.toml`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The name of the configuration file inside the data directory.
pub const CONFIG_FILE: &str = "patron.toml";
/// The name of the secrets file inside the data directory.
pub const SECRETS_FILE: &str = "secrets.toml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, secrets and exports live.
    pub data_dir: PathBuf,
    /// `postgres://…` to run on PostgreSQL; empty means the SQLite file in the data directory.
    pub database_url: String,
    /// Address and port `patron serve` listens on.
    pub listen: String,
    /// The address staff type into the browser; `https://…` makes cookies Secure.
    pub public_url: String,
    /// Language for users who have not chosen one: `zh-CN` or `en`.
    pub default_lang: String,
    /// The store's time zone for business dates.
    pub time_zone: String,
    /// `pretty` or `json`.
    pub log_format: String,
    pub session: SessionConfig,
    pub login: LoginConfig,
    #[serde(default)]
    pub notify: NotifyConfig,
    #[serde(default)]
    pub pos: PosConfig,
}

/// What the till API accepts (SPEC C1–C3): a receipt's `occurred_at` must lie within this window
/// of now and not before the card; older receipts are entered as missed points (补积分) with
/// their approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PosConfig {
    /// How many days back a till may send a receipt.
    pub receipt_max_age_days: u32,
    /// How far ahead of the server's clock a till's clock may run.
    pub receipt_max_future_minutes: u32,
}

impl Default for PosConfig {
    fn default() -> Self {
        PosConfig {
            receipt_max_age_days: 7,
            receipt_max_future_minutes: 5,
        }
    }
}

/// How notifications leave (SPEC L2): SMS through an HTTP gateway or a file, e-mail through
/// SMTP or a file. The file transport writes `DATA_DIR/outbox/DATE.jsonl` (for trials).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// `file` or `http`.
    pub sms_transport: String,
    /// The gateway's URL: Patron POSTs `{"to","text","ref"}` with a bearer token.
    pub sms_url: String,
    pub sms_token: String,
    /// `file` or `smtp`.
    pub email_transport: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_starttls: bool,
    pub smtp_user: String,
    pub smtp_password: String,
    pub smtp_from: String,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            sms_transport: "file".into(),
            sms_url: String::new(),
            sms_token: String::new(),
            email_transport: "file".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_starttls: false,
            smtp_user: String::new(),
            smtp_password: String::new(),
            smtp_from: "会员中心 <members@patron.invalid>".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// A console session ends after this long without a request.
    pub idle_timeout_minutes: u32,
    /// A console session ends this long after login, however active.
    pub absolute_timeout_hours: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginConfig {
    /// Failed logins in a row that lock an account (0: never lock).
    pub max_failures: u32,
    /// How long a locked account stays locked.
    pub lock_minutes: u32,
    /// Addresses of reverse proxies in front of Patron: a request from one of them is counted
    /// under the client address its `X-Forwarded-For` names. Empty: the connection's address.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("patron-data"),
            database_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            default_lang: "zh-CN".into(),
            time_zone: "Asia/Shanghai".into(),
            log_format: "pretty".into(),
            session: SessionConfig {
                idle_timeout_minutes: 30,
                absolute_timeout_hours: 12,
            },
            login: LoginConfig {
                max_failures: 5,
                lock_minutes: 15,
                trusted_proxies: Vec::new(),
            },
            notify: NotifyConfig::default(),
            pos: PosConfig::default(),
        }
    }
}

/// Creates a new file only its owner can read (secrets, configuration that may hold a database
/// password, demo credentials). Refuses to overwrite an existing file.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("setting `{setting}`: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

fn bad(setting: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.into(),
        problem: problem.into(),
    }
}

fn from_figment(e: figment::Error) -> ConfigError {
    let mut path = e.path.clone();
    if let figment::error::Kind::MissingField(name) = &e.kind {
        path.push(name.to_string());
    }
    let setting = if path.is_empty() {
        "(file)".to_string()
    } else {
        path.join(".")
    };
    let mut problem = e.kind.to_string();
    if let Some(md) = &e.metadata {
        problem.push_str(&format!(" (from {})", md.name));
    }
    ConfigError { setting, problem }
}

impl Config {
    /// Loads the configuration for data directory `dir`: defaults, then `dir/patron.toml` if it
    /// exists, then `PATRON_*` variables (`PATRON_LOGIN__MAX_FAILURES=3`).
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        Self::load_from(dir, Env::prefixed("PATRON_").split("__"))
    }

    /// As `load`, with the environment given explicitly (tests).
    pub fn load_from(dir: &Path, env: Env) -> Result<Config, ConfigError> {
        let defaults = Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        };
        // Variables that are not settings: the data directory itself, test switches and secrets.
        let env = env.ignore(&[
            "dir",
            "log",
            "test_pg",
            "screenshots",
            "skip_browser",
            "secret_session_key",
            "secret_pii_key",
            "secret_voucher_key",
        ]);
        let config: Config = Figment::from(Serialized::defaults(defaults))
            .merge(Toml::file(dir.join(CONFIG_FILE)))
            .merge(env)
            .extract()
            .map_err(from_figment)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.listen.parse::<SocketAddr>().map_err(|e| {
            bad(
                "listen",
                format!("{:?} is not an address:port ({e})", self.listen),
            )
        })?;
        let url = url::Url::parse(&self.public_url).map_err(|e| {
            bad(
                "public_url",
                format!("{:?} is not a URL ({e})", self.public_url),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("public_url", "must start with http:// or https://"));
        }
        if !matches!(self.default_lang.as_str(), "zh-CN" | "en") {
            return Err(bad("default_lang", "must be zh-CN or en"));
        }
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            bad(
                "time_zone",
                format!("{:?} is not a time zone", self.time_zone),
            )
        })?;
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            return Err(bad("log_format", "must be pretty or json"));
        }
        let db = self.database_url.as_str();
        if !(db.is_empty()
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://")
            || db.starts_with("sqlite:"))
        {
            return Err(bad(
                "database_url",
                "must be empty (SQLite in the data directory), sqlite:PATH or postgres://…",
            ));
        }
        if self.session.idle_timeout_minutes == 0 {
            return Err(bad("session.idle_timeout_minutes", "must be at least 1"));
        }
        if self.session.absolute_timeout_hours == 0 {
            return Err(bad("session.absolute_timeout_hours", "must be at least 1"));
        }
        Ok(())
    }

    /// The URL of the database this configuration names.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite:{}", self.data_dir.join("patron.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn cookies_secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

/// The keys Patron needs, each 32 random bytes (base64 in `secrets.toml`).
#[derive(Clone)]
pub struct Secrets {
    /// Keys the hash under which session ids are stored.
    pub session_key: [u8; 32],
    /// Encrypts personal data (phones, ID numbers) and keys their lookup hashes.
    pub pii_key: [u8; 32],
    /// Derives voucher check codes from serials.
    pub voucher_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(…)")
    }
}

#[derive(Deserialize)]
struct SecretsFile {
    session_key: SecretString,
    pii_key: SecretString,
    voucher_key: SecretString,
}

impl Secrets {
    pub fn generate() -> Secrets {
        Secrets {
            session_key: rand::random(),
            pii_key: rand::random(),
            voucher_key: rand::random(),
        }
    }

    /// Writes the secrets file, readable and writable by its owner only.
    pub fn write_new(&self, path: &Path) -> std::io::Result<()> {
        let text = format!(
            "# Patron's keys. Keep this file secret and back it up apart from the database:\n\
             # without pii_key the encrypted personal data cannot be read.\n\
             session_key = \"{}\"\npii_key = \"{}\"\nvoucher_key = \"{}\"\n",
            B64.encode(self.session_key),
            B64.encode(self.pii_key),
            B64.encode(self.voucher_key)
        );
        write_private(path, &text)
    }

    /// Reads the secrets: `secrets.toml` in the data directory, each key overridable by
    /// `PATRON_SECRET_SESSION_KEY`, `PATRON_SECRET_PII_KEY`, `PATRON_SECRET_VOUCHER_KEY`.
    pub fn load(dir: &Path) -> Result<Secrets, ConfigError> {
        let path = dir.join(SECRETS_FILE);
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(&path) {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(bad(
                    "secrets",
                    format!(
                        "{} can be read by others (mode {mode:o}); run chmod 600 on it",
                        path.display()
                    ),
                ));
            }
        }
        let file: SecretsFile = Figment::new()
            .merge(Toml::file(&path))
            .merge(Env::prefixed("PATRON_SECRET_"))
            .extract()
            .map_err(|e| {
                let mut err = from_figment(e);
                err.problem = format!(
                    "{} (looked in {} and PATRON_SECRET_*; `patron init` creates it)",
                    err.problem,
                    path.display()
                );
                err
            })?;
        Ok(Secrets {
            session_key: decode_key("session_key", &file.session_key)?,
            pii_key: decode_key("pii_key", &file.pii_key)?,
            voucher_key: decode_key("voucher_key", &file.voucher_key)?,
        })
    }
}

fn decode_key(name: &str, value: &SecretString) -> Result<[u8; 32], ConfigError> {
    let bytes = B64
        .decode(value.expose_secret().trim())
        .map_err(|_| bad(name, "is not base64"))?;
    bytes
        .try_into()
        .map_err(|_| bad(name, "must be 32 bytes (44 base64 characters)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(toml: &str) -> tempdir::Dir {
        let d = tempdir::Dir::new();
        std::fs::write(d.path().join(CONFIG_FILE), toml).ok();
        d
    }

    mod tempdir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let p = std::env::temp_dir().join(format!("patron-cfg-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&p).ok();
                Dir(p)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn no_env() -> Env {
        Env::prefixed("PATRON_TEST_NOTHING_SET_")
    }

    #[test]
    fn defaults_apply_when_there_is_no_file() {
        let d = tempdir::Dir::new();
        let c = Config::load_from(d.path(), no_env()).expect("defaults are valid");
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.login.max_failures, 5);
        assert!(c.database_url().starts_with("sqlite:"));
    }

    #[test]
    fn the_file_overrides_defaults() {
        let d =
            dir_with("listen = \"0.0.0.0:9000\"\n[login]\nmax_failures = 3\nlock_minutes = 5\n");
        let c = Config::load_from(d.path(), no_env()).expect("valid");
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.login.max_failures, 3);
    }

    #[test]
    fn a_bad_value_names_its_setting() {
        let d = dir_with("[login]\nmax_failures = \"many\"\n");
        let e = Config::load_from(d.path(), no_env()).expect_err("must fail");
        assert_eq!(e.setting, "login.max_failures");
        let d = dir_with("listen = \"nowhere\"\n");
        let e = Config::load_from(d.path(), no_env()).expect_err("must fail");
        assert_eq!(e.setting, "listen");
    }

    #[test]
    fn an_unknown_setting_is_refused_by_name() {
        let d = dir_with("lisen = \"0.0.0.0:1\"\n");
        let e = Config::load_from(d.path(), no_env()).expect_err("must fail");
        assert!(e.to_string().contains("lisen"), "{e}");
    }

    #[test]
    fn secrets_round_trip_and_a_missing_file_names_the_key() {
        let d = tempdir::Dir::new();
        let e = Secrets::load(d.path()).expect_err("no file");
        assert_eq!(e.setting, "session_key", "{e}");
        let s = Secrets::generate();
        s.write_new(&d.path().join(SECRETS_FILE)).expect("write");
        let back = Secrets::load(d.path()).expect("load");
        assert_eq!(back.pii_key, s.pii_key);
    }
}
