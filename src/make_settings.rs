//! The `make.settings` reader, shared by `build.rs` (which includes this file by path) and the
//! crate's unit tests. Plain std, no dependencies: it runs at build time.
//!
//! Syntax: `NAME = value`, `NAME ?= value`, `NAME := value`, `#` comments, blank lines.

use std::fmt;

/// Which TLS implementation a TLS build uses (`FEATURE_TLS_BACKEND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsBackend {
    /// The firmware's `HAL_SSL_*` functions.
    Hal,
    /// native-tls inside the library, running over `HAL_TCP_*`.
    Native,
}

/// What the MQTT flags of a valid `make.settings` decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `FEATURE_MQTT_DIRECT`: connect straight to the MQTT host (else HTTPS pre-authentication).
    pub direct: bool,
    /// TLS on (`FEATURE_MQTT_DIRECT_NOTLS = n`, or `FEATURE_SUPPORT_TLS = y`).
    pub tls: bool,
    pub tls_backend: TlsBackend,
    /// Flags accepted but without effect on iotmqtt, with their line numbers.
    pub ignored: Vec<(usize, String)>,
}

/// A `make.settings` the build must refuse, naming file, line and rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    pub file: String,
    /// 0 when the rule concerns the file as a whole (a combination of flags).
    pub line: usize,
    pub rule: &'static str,
    pub detail: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}: {}", self.file, self.rule, self.detail)
        } else {
            write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, self.rule, self.detail
            )
        }
    }
}

/// The y/n flags that decide what the MQTT client does.
const MQTT_SWITCHES: [&str; 4] = [
    "FEATURE_MQTT_COMM_ENABLED",
    "FEATURE_MQTT_DIRECT",
    "FEATURE_MQTT_DIRECT_NOTLS",
    "FEATURE_SUPPORT_TLS",
];

/// Flags that would change MQTT behaviour in a way iotmqtt does not implement, with the value
/// that is refused.
const UNSUPPORTED: [(&str, &str, &str); 4] = [
    (
        "FEATURE_MQTT_ID2_AUTH",
        "y",
        "ID2 authentication is not supported",
    ),
    (
        "FEATURE_MQTT_ID2_CRYPTO",
        "y",
        "ID2 payload encryption is not supported",
    ),
    (
        "FEATURE_MQTT_DIRECT_NOITLS",
        "n",
        "iTLS (ID2 TLS) is not supported",
    ),
    ("FEATURE_MQTT_ID2", "y", "ID2 is not supported"),
];

struct Assignment {
    line: usize,
    value: String,
}

/// Reads `text` (the contents of `file`) and checks every rule.
pub fn parse(file: &str, text: &str) -> Result<Settings, SettingsError> {
    let err = |line: usize, rule: &'static str, detail: String| SettingsError {
        file: file.to_string(),
        line,
        rule,
        detail,
    };
    // Last assignment wins, except `?=` which only sets an unset name (GNU make semantics).
    let mut vars: Vec<(String, Assignment)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let (name, op, value) = split_assignment(content).ok_or_else(|| {
            err(
                line,
                "malformed line",
                format!(
                    "expected `NAME = value`, `NAME ?= value` or `NAME := value`, found `{}`",
                    raw.trim()
                ),
            )
        })?;
        let existing = vars.iter().position(|(n, _)| n == name);
        let assignment = Assignment {
            line,
            value: value.to_string(),
        };
        match (existing, op) {
            (Some(_), "?=") => {}
            (Some(i), _) => {
                if let Some(slot) = vars.get_mut(i) {
                    slot.1 = assignment;
                }
            }
            (None, _) => vars.push((name.to_string(), assignment)),
        }
    }

    let get = |name: &str| vars.iter().find(|(n, _)| n == name).map(|(_, a)| a);
    let yes_no = |name: &str| -> Result<Option<(bool, usize)>, SettingsError> {
        match get(name) {
            None => Ok(None),
            Some(a) if a.value == "y" => Ok(Some((true, a.line))),
            Some(a) if a.value == "n" => Ok(Some((false, a.line))),
            Some(a) => Err(err(
                a.line,
                "y/n flag",
                format!("{name} must be `y` or `n`, found `{}`", a.value),
            )),
        }
    };

    for name in MQTT_SWITCHES {
        yes_no(name)?;
    }
    for (name, refused, why) in UNSUPPORTED {
        if let Some(a) = get(name) {
            if a.value != "y" && a.value != "n" {
                return Err(err(
                    a.line,
                    "y/n flag",
                    format!("{name} must be `y` or `n`, found `{}`", a.value),
                ));
            }
            if a.value == refused {
                return Err(err(
                    a.line,
                    "unsupported flag",
                    format!("{name} = {refused}: {why} by iotmqtt"),
                ));
            }
        }
    }

    let comm = yes_no("FEATURE_MQTT_COMM_ENABLED")?.is_none_or(|v| v.0);
    let direct = yes_no("FEATURE_MQTT_DIRECT")?;
    let notls = yes_no("FEATURE_MQTT_DIRECT_NOTLS")?;
    let support_tls = yes_no("FEATURE_SUPPORT_TLS")?;
    if !comm {
        return Err(err(
            get("FEATURE_MQTT_COMM_ENABLED").map_or(0, |a| a.line),
            "unsupported flag",
            "FEATURE_MQTT_COMM_ENABLED = n builds no MQTT client, and iotmqtt is one".to_string(),
        ));
    }
    let tls = match (notls, support_tls) {
        (Some((n, _)), Some((s, line))) if n == s => {
            return Err(err(
                line,
                "invalid combination",
                format!(
                    "FEATURE_MQTT_DIRECT_NOTLS = {} contradicts FEATURE_SUPPORT_TLS = {} (one is the inverse of the other)",
                    yn(n),
                    yn(s)
                ),
            ))
        }
        (Some((n, _)), _) => !n,
        (None, Some((s, _))) => s,
        (None, None) => true,
    };
    let direct = direct.is_none_or(|v| v.0);
    if !direct && !tls {
        let line = notls.or(support_tls).map_or(0, |v| v.1);
        return Err(err(
            line,
            "invalid combination",
            "plain TCP (FEATURE_MQTT_DIRECT_NOTLS = y) needs FEATURE_MQTT_DIRECT = y: HTTPS pre-authentication always uses TLS".to_string(),
        ));
    }

    let tls_backend = match get("FEATURE_TLS_BACKEND") {
        None => TlsBackend::Native,
        Some(a) if a.value == "native" => TlsBackend::Native,
        Some(a) if a.value == "hal" => TlsBackend::Hal,
        Some(a) => {
            return Err(err(
                a.line,
                "tls backend",
                format!(
                    "FEATURE_TLS_BACKEND must be `hal` or `native`, found `{}`",
                    a.value
                ),
            ))
        }
    };

    let decided = |name: &str| {
        MQTT_SWITCHES.contains(&name)
            || name == "FEATURE_TLS_BACKEND"
            || UNSUPPORTED.iter().any(|(n, _, _)| *n == name)
    };
    let ignored = vars
        .iter()
        .filter(|(name, _)| !decided(name))
        .map(|(name, a)| (a.line, format!("{name} = {}", a.value)))
        .collect();

    Ok(Settings {
        direct,
        tls,
        tls_backend,
        ignored,
    })
}

fn yn(v: bool) -> &'static str {
    if v {
        "y"
    } else {
        "n"
    }
}

/// Splits `NAME op value`; None when the line is not an assignment of a plain variable name.
fn split_assignment(content: &str) -> Option<(&str, &str, &str)> {
    let eq = content.find('=')?;
    let (left, value) = (content.get(..eq)?, content.get(eq + 1..)?);
    let (name, op) = if let Some(n) = left.strip_suffix('?') {
        (n, "?=")
    } else if let Some(n) = left.strip_suffix(':') {
        (n, ":=")
    } else {
        (left, "=")
    };
    let name = name.trim();
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid_name.then_some((name, op, value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Settings {
        match parse("make.settings", text) {
            Ok(s) => s,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn fails(text: &str) -> String {
        match parse("make.settings", text) {
            Ok(s) => panic!("accepted: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn shipped_tcp_file() {
        let s = ok("FEATURE_MQTT_COMM_ENABLED = y\nFEATURE_MQTT_DIRECT = y\nFEATURE_MQTT_DIRECT_NOTLS = y\n");
        assert!(s.direct);
        assert!(!s.tls);
        assert_eq!(s.tls_backend, TlsBackend::Native);
        assert!(s.ignored.is_empty());
    }

    #[test]
    fn the_four_combinations() {
        let s = ok("FEATURE_MQTT_DIRECT = n\nFEATURE_MQTT_DIRECT_NOTLS = n\n");
        assert!(!s.direct && s.tls);
        let s = ok(
            "FEATURE_MQTT_DIRECT = y\nFEATURE_MQTT_DIRECT_NOTLS = n\nFEATURE_TLS_BACKEND = hal\n",
        );
        assert!(s.direct && s.tls);
        assert_eq!(s.tls_backend, TlsBackend::Hal);
        assert_eq!(
            fails("FEATURE_MQTT_DIRECT = n\nFEATURE_MQTT_DIRECT_NOTLS = y\n"),
            "make.settings:2: invalid combination: plain TCP (FEATURE_MQTT_DIRECT_NOTLS = y) needs FEATURE_MQTT_DIRECT = y: HTTPS pre-authentication always uses TLS"
        );
        assert_eq!(
            fails("FEATURE_MQTT_COMM_ENABLED = n\nFEATURE_MQTT_DIRECT = n\nFEATURE_MQTT_DIRECT_NOTLS = n\n"),
            "make.settings:1: unsupported flag: FEATURE_MQTT_COMM_ENABLED = n builds no MQTT client, and iotmqtt is one"
        );
    }

    #[test]
    fn support_tls_is_the_inverse_of_notls() {
        assert!(ok("FEATURE_SUPPORT_TLS = y\n").tls);
        assert!(!ok("FEATURE_SUPPORT_TLS = n\n").tls);
        assert_eq!(
            fails("FEATURE_MQTT_DIRECT_NOTLS = y\nFEATURE_SUPPORT_TLS = y\n"),
            "make.settings:2: invalid combination: FEATURE_MQTT_DIRECT_NOTLS = y contradicts FEATURE_SUPPORT_TLS = y (one is the inverse of the other)"
        );
    }

    #[test]
    fn operators_and_comments() {
        let s = ok("# comment\n\nFEATURE_MQTT_DIRECT_NOTLS := y   # plain\nFEATURE_MQTT_DIRECT_NOTLS ?= n\n");
        assert!(!s.tls, "?= must not override an earlier assignment");
        let s = ok("FEATURE_MQTT_DIRECT_NOTLS ?= y\nFEATURE_MQTT_DIRECT_NOTLS = n\n");
        assert!(s.tls, "= overrides");
    }

    #[test]
    fn yes_no_flag_with_another_value() {
        assert_eq!(
            fails("FEATURE_MQTT_DIRECT = yes\n"),
            "make.settings:1: y/n flag: FEATURE_MQTT_DIRECT must be `y` or `n`, found `yes`"
        );
    }

    #[test]
    fn malformed_line() {
        assert_eq!(
            fails("FEATURE_MQTT_DIRECT = y\nthis is not make\n"),
            "make.settings:2: malformed line: expected `NAME = value`, `NAME ?= value` or `NAME := value`, found `this is not make`"
        );
        assert!(fails("= y\n").starts_with("make.settings:1: malformed line"));
    }

    #[test]
    fn unsupported_mqtt_flags() {
        assert_eq!(
            fails("FEATURE_MQTT_ID2_AUTH = y\n"),
            "make.settings:1: unsupported flag: FEATURE_MQTT_ID2_AUTH = y: ID2 authentication is not supported by iotmqtt"
        );
        assert_eq!(
            fails("\nFEATURE_MQTT_DIRECT_NOITLS = n\n"),
            "make.settings:2: unsupported flag: FEATURE_MQTT_DIRECT_NOITLS = n: iTLS (ID2 TLS) is not supported by iotmqtt"
        );
        // The supported values pass and are not reported as ignored.
        let s = ok("FEATURE_MQTT_ID2_AUTH = n\nFEATURE_MQTT_DIRECT_NOITLS = y\n");
        assert!(s.ignored.is_empty());
    }

    #[test]
    fn bad_tls_backend() {
        assert_eq!(
            fails("FEATURE_TLS_BACKEND = mbedtls\n"),
            "make.settings:1: tls backend: FEATURE_TLS_BACKEND must be `hal` or `native`, found `mbedtls`"
        );
    }

    #[test]
    fn other_parts_are_ignored_whatever_their_values() {
        let s = ok(
            "FEATURE_OTA_SIGNAL_CHANNEL = MQTT\nFEATURE_MQTT_ID2_ENV ?= online\nFEATURE_SUBDEVICE_STATUS = gateway\nFEATURE_COAP_COMM_ENABLED = n\nFEATURE_MQTT_SHADOW = y\n",
        );
        assert_eq!(
            s.ignored,
            vec![
                (1, "FEATURE_OTA_SIGNAL_CHANNEL = MQTT".to_string()),
                (2, "FEATURE_MQTT_ID2_ENV = online".to_string()),
                (3, "FEATURE_SUBDEVICE_STATUS = gateway".to_string()),
                (4, "FEATURE_COAP_COMM_ENABLED = n".to_string()),
                (5, "FEATURE_MQTT_SHADOW = y".to_string()),
            ]
        );
    }
}
