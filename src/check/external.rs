//! `--external`: fetches every web address the handbook gives (page links
//! and service websites) and reports the ones that are broken.
//!
//! One request at a time per host (hosts are checked in parallel by a few
//! threads), a timeout per address, HEAD first and GET when a server refuses
//! HEAD. A page that is gone (404, 410) is an error; anything else that goes
//! wrong, including a network error, is only a warning, because it may be
//! the network and not the handbook.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use super::{Audit, Finding};
use crate::diagnostic::Diagnostic;
use crate::load::{Pos, yaml};
use crate::model::Handbook;
use crate::render::Rendered;
use crate::render::markdown::Target;

/// How the checker behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For each address, the whole exchange including redirects.
    pub timeout: Duration,
    /// Hosts checked at once.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            threads: 4,
        }
    }
}

/// A web address and every place the handbook gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub url: String,
    pub places: Vec<Place>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// 2xx (after following redirects).
    Ok,
    /// 404 or 410: the page is gone.
    Broken,
    /// Another error status: the server refused or failed.
    Failed,
    /// No answer: DNS, connection, TLS or timeout.
    Unreachable,
}

/// What fetching one address gave.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub url: String,
    pub outcome: Outcome,
    /// The final HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// Words for a reader: "404 Not Found", "timed out".
    pub detail: String,
    pub places: Vec<Place>,
}

/// Every http(s) address on the pages and in the service map, once each, in
/// the order first met.
pub fn targets(handbook: &Handbook, rendered: &[Rendered]) -> Vec<Address> {
    let mut out: Vec<Address> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |url: &str, path: &PathBuf, pos: Pos| {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return;
        }
        let place = Place {
            path: path.clone(),
            line: pos.line,
            column: pos.col,
        };
        match index.get(url) {
            Some(&i) => {
                if out[i].places.last() != Some(&place) {
                    out[i].places.push(place)
                }
            }
            None => {
                index.insert(url.to_string(), out.len());
                out.push(Address {
                    url: url.to_string(),
                    places: vec![place],
                });
            }
        }
    };
    for (page, result) in handbook.pages.iter().zip(rendered) {
        let Some(path) = &page.path else { continue };
        for link in &result.links {
            if let Target::Other(dest) = &link.target {
                add(dest, path, link.pos);
            }
        }
    }
    // Service files are read again only to point at the `website:` line itself.
    let mut texts: HashMap<&Path, String> = HashMap::new();
    for service in &handbook.services {
        texts
            .entry(service.path.as_path())
            .or_insert_with(|| std::fs::read_to_string(&service.path).unwrap_or_default());
    }
    // Each file split into lines and entries once, not once per service.
    let files: HashMap<&Path, (yaml::Located, HashMap<usize, yaml::Lines>)> = texts
        .iter()
        .map(|(&path, text)| {
            let located = yaml::Located::new(text);
            let mut items = HashMap::new();
            for lines in located.list_items("services") {
                items.entry(lines.start).or_insert(lines);
            }
            (path, (located, items))
        })
        .collect();
    for service in &handbook.services {
        let (located, items) = &files[service.path.as_path()];
        let entry = items.get(&service.pos.line).copied();
        for (key, url) in [
            ("website", &service.contact.website),
            ("webchat", &service.contact.webchat),
        ] {
            let Some(url) = url else { continue };
            let pos = entry
                .and_then(|lines| located.find_value(lines, key, url))
                .unwrap_or(service.pos);
            add(url, &service.path, pos);
        }
    }
    out
}

/// The host part of an address, for grouping requests.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.to_ascii_lowercase()
}

/// Fetches every address: hosts in parallel (at most `settings.threads`),
/// one request at a time per host. Results are in the order of `addresses`.
pub fn check_all(addresses: &[Address], settings: &Settings) -> Vec<Checked> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!(
            "handbook-check/",
            env!("CARGO_PKG_VERSION"),
            " (link checker)"
        ))
        .build()
        .into();
    let mut by_host: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in addresses.iter().enumerate() {
        by_host.entry(host(&a.url)).or_default().push(i);
    }
    let queue: Mutex<VecDeque<Vec<usize>>> = Mutex::new(by_host.into_values().collect());
    let results: Mutex<Vec<Option<Checked>>> = Mutex::new(vec![None; addresses.len()]);
    let threads = settings.threads.clamp(1, addresses.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.pop_front()).ok().flatten();
                    let Some(group) = next else { break };
                    for i in group {
                        let checked = check_one(&agent, &addresses[i]);
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(checked);
                        }
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn check_one(agent: &ureq::Agent, address: &Address) -> Checked {
    let url = address.url.as_str();
    let head = agent.head(url).call();
    // Some servers refuse or mishandle HEAD: ask again with GET before
    // calling an address broken.
    let answer = match head {
        Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
        _ => agent.get(url).call().map(|r| r.status().as_u16()),
    };
    let (outcome, status, detail) = match answer {
        Ok(code) => {
            let reason = http_reason(code);
            let outcome = match code {
                200..=399 => Outcome::Ok,
                404 | 410 => Outcome::Broken,
                _ => Outcome::Failed,
            };
            (
                outcome,
                Some(code),
                format!("{code} {reason}").trim().to_string(),
            )
        }
        Err(e) => (Outcome::Unreachable, None, network_error(&e)),
    };
    Checked {
        url: url.to_string(),
        outcome,
        status,
        detail,
        places: address.places.clone(),
    }
}

fn network_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Io(io) => {
            let text = io.to_string();
            if text.contains("lookup address") || text.contains("Name or service not known") {
                "host not found".into()
            } else {
                text
            }
        }
        other => other.to_string(),
    }
}

fn http_reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// A finding at every place each failed address is given.
pub fn findings(checked: &[Checked]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checked {
        let (error, message, hint) = match c.outcome {
            Outcome::Ok => continue,
            Outcome::Broken => (
                true,
                format!("web address {} is broken: {}", c.url, c.detail),
                "find the page's new address on the organisation's site, or remove the link",
            ),
            Outcome::Failed => (
                false,
                format!("web address {} answered {}", c.url, c.detail),
                "open it in a browser: some sites refuse automatic checks",
            ),
            Outcome::Unreachable => (
                false,
                format!("could not check web address {}: {}", c.url, c.detail),
                "this may be the network rather than the handbook; try again later",
            ),
        };
        for p in &c.places {
            let d = if error {
                Diagnostic::error(&p.path, p.line, p.column, message.clone())
            } else {
                Diagnostic::warning(&p.path, p.line, p.column, message.clone())
            };
            out.push(Finding {
                audit: Audit::External,
                diagnostic: d.with_hint(hint),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_group_requests() {
        assert_eq!(host("https://www.NHS.uk/a/b?c"), "www.nhs.uk");
        assert_eq!(host("http://user@127.0.0.1:8080/x"), "127.0.0.1:8080");
    }

    #[test]
    fn an_unreachable_address_is_a_warning_not_an_error() {
        // Port 9 on localhost (discard) is closed on test machines: the
        // connection is refused at once.
        let addresses = vec![Address {
            url: "http://127.0.0.1:9/".into(),
            places: vec![Place {
                path: "a.md".into(),
                line: 3,
                column: 4,
            }],
        }];
        let checked = check_all(
            &addresses,
            &Settings {
                timeout: Duration::from_secs(5),
                threads: 2,
            },
        );
        assert_eq!(checked[0].outcome, Outcome::Unreachable);
        let f = findings(&checked);
        assert_eq!(f.len(), 1);
        assert!(!f[0].diagnostic.is_error());
        assert!(
            f[0].diagnostic
                .to_string()
                .starts_with("a.md:3:4: warning: could not check web address http://127.0.0.1:9/"),
            "{}",
            f[0].diagnostic
        );
    }
}
