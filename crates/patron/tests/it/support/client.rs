//! The browser-like client for console and portal pages: cookies, no automatic redirects, and
//! forms posted with the CSRF token of the page they come from.

use reqwest::StatusCode;
use reqwest::redirect::Policy;

use super::app::{PASSWORD, TestApp};

impl TestApp {
    /// A browser-like client (cookies, no automatic redirects).
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A fresh browser whose connections come from `ip` (any 127.x.y.z address on loopback),
    /// as a person at another desk or a stranger elsewhere.
    pub fn browser_from(&self, ip: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .local_address(ip.parse::<std::net::IpAddr>().expect("ip"))
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A browser already logged in as `username` with `PASSWORD`.
    pub async fn login(&self, username: &str) -> Browser {
        let b = self.browser();
        let res = b.login(username, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed"
        );
        b
    }

    /// A fresh browser signed in to the member portal with a card number and password (the
    /// first password changed already). Portal sessions expire while the test clock moves days
    /// ahead: sign in again after a jump.
    pub async fn portal_login(&self, card: &str, password: &str) -> Browser {
        let b = self.browser();
        let res = b.portal_login(card, password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        b
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The text of the element with `id` (for values shown once, like a new key).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\">");
        self.body
            .split_once(&marker)
            .and_then(|(_, rest)| rest.split_once('<'))
            .map(|(text, _)| text.to_string())
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        self.body
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(token, _)| token.to_string())
            .unwrap_or_default()
    }
}

impl Browser {
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/login", self.base))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login request")
    }

    /// Posts the member portal's login form; the raw answer.
    pub async fn portal_login(&self, login: &str, password: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/portal/login", self.base))
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .expect("login")
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        to_page(res).await
    }

    /// Posts a form with the CSRF token taken from `token_page`.
    pub async fn post(&self, path: &str, token_page: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(token_page).await.csrf();
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("POST");
        to_page(res).await
    }
}

async fn to_page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.text().await.unwrap_or_default();
    Page {
        status,
        location,
        body,
    }
}
