//! A JSON Schema of the topology format, for editors' TOML schema support
//! (taplo / Even Better TOML). `blastradius schema` prints it;
//! `assets/topology.schema.json` is a copy that a test keeps equal to it.
//!
//! The field lists are checked against the loader itself: a test feeds the
//! loader an unknown key in every table and compares the keys it says it
//! expects with the properties here, so the schema cannot drift from what
//! the loader accepts.

use serde_json::{Value, json};

const ID: &str = "^[a-zA-Z0-9._-]+$";

fn refs() -> Value {
    json!({
        "type": "array",
        "items": {"type": "string", "pattern": ID},
        "description": "ids of services or groups"
    })
}

/// The schema, Draft 2020-12.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://blastradius.invalid/topology.schema.json",
        "title": "blastradius topology",
        "description": "Services, what each needs, and which can stand in for each other (DESIGN.md, topology file version 1).",
        "type": "object",
        "additionalProperties": false,
        "required": ["topology"],
        "properties": {
            "topology": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "failover_test_max_age_days": {"type": "integer", "minimum": 0, "maximum": 36500, "default": 90}
                }
            },
            "services": {
                "type": "object",
                "propertyNames": {"pattern": ID},
                "additionalProperties": {"$ref": "#/$defs/service"}
            },
            "groups": {
                "type": "object",
                "propertyNames": {"pattern": ID},
                "additionalProperties": {"$ref": "#/$defs/group"}
            },
            "live": {"$ref": "#/$defs/live"}
        },
        "$defs": {
            "live": {
                "type": "object",
                "description": "where `--live` reads the estate's current state",
                "additionalProperties": false,
                "properties": {
                    "prometheus": {"type": "string", "pattern": "^https?://[^/?#\\s]+", "description": "base URL of Prometheus: the instant query `up`"},
                    "alertmanager": {"type": "string", "pattern": "^https?://[^/?#\\s]+", "description": "base URL of Alertmanager: active alerts, and silences to audit"},
                    "label": {"type": "string", "pattern": "^[a-zA-Z_][a-zA-Z0-9_]*$", "default": "service", "description": "the series and alert label that carries a service id"},
                    "timeout_ms": {"type": "integer", "minimum": 1, "maximum": 600000, "default": 2000, "description": "bound of each probe and query"}
                }
            },
            "service": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "name": {"type": "string", "description": "display name; default: the id"},
                    "kind": {"type": "string"},
                    "team": {"type": "string"},
                    "oncall": {"type": "string"},
                    "criticality": {"enum": ["low", "medium", "high", "critical"], "default": "medium"},
                    "users": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "share of users entering here: an entry point"},
                    "state": {"enum": ["up", "degraded", "down"], "default": "up"},
                    "zone": {"type": "string"},
                    "monitored": {"type": "boolean"},
                    "recovery": {"type": "boolean", "default": false},
                    "requires": refs(),
                    "wants": refs(),
                    "probe": {"type": "string", "pattern": "^(tcp://[^/:]+:[0-9]+|https?://.+)$"},
                    "runbook": {"type": "string"},
                    "host": {"type": "string", "pattern": "^[a-zA-Z0-9._-]+$", "description": "the service this one runs on: a reboot of it reboots this one"},
                    "labels": {
                        "type": "object",
                        "description": "key = \"value\" pairs for selectors such as os=ubuntu-22.04",
                        "propertyNames": {"pattern": "^[a-zA-Z0-9._/-]+$"},
                        "additionalProperties": {"type": "string"}
                    },
                    "boot": {"$ref": "#/$defs/boot"}
                }
            },
            "boot": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "autostart": {"type": "boolean", "default": true},
                    "minutes": {"type": "integer", "minimum": 0},
                    "volumes": {"type": "array", "items": {"$ref": "#/$defs/volume"}}
                }
            },
            "volume": {
                "type": "object",
                "additionalProperties": false,
                "required": ["path"],
                "properties": {
                    "path": {"type": "string"},
                    "automount": {"type": "boolean", "default": true}
                }
            },
            "group": {
                "type": "object",
                "additionalProperties": false,
                "required": ["members"],
                "properties": {
                    "members": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string", "pattern": ID}},
                    "mode": {"enum": ["active-passive", "active-active"], "default": "active-active"},
                    "min_up": {"type": "integer", "minimum": 1, "default": 1},
                    "failover": {"enum": ["automatic", "manual"], "default": "automatic"},
                    "last_tested": {"type": "string", "format": "date", "description": "a bare TOML date, e.g. 2023-03-01"}
                }
            }
        }
    })
}

/// The schema as the text of `assets/topology.schema.json`.
pub fn json_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).expect("a JSON value serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys the loader accepts in one table, from its own "unknown
    /// field, expected one of ..." message.
    fn accepted(text_with_unknown_key: &str) -> Vec<String> {
        let err = crate::topology::load("t.toml", text_with_unknown_key)
            .expect_err("an unknown key is an error");
        // serde's message: "unknown field `x`, expected one of `a`, `b`"
        // (or "expected `a`" when there is only one).
        let message = &err.0[0].message;
        let expected = message
            .split_once("expected ")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("no expected keys in: {message}"));
        let mut keys: Vec<String> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    fn props(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    }

    #[test]
    fn the_schema_has_exactly_the_keys_the_loader_accepts() {
        let s = json_schema();
        let head = "[topology]\nname = \"t\"\n";
        let cases = [
            (
                "[topology]\nname = \"t\"\nzz_unknown = 1\n".to_string(),
                &s["properties"]["topology"],
            ),
            (
                format!("{head}[services.a]\nzz_unknown = 1\n"),
                &s["$defs"]["service"],
            ),
            (
                format!("{head}[services.a.boot]\nzz_unknown = 1\n"),
                &s["$defs"]["boot"],
            ),
            (
                format!(
                    "{head}[services.a.boot]\nvolumes = [{{ path = \"/x\", zz_unknown = 1 }}]\n"
                ),
                &s["$defs"]["volume"],
            ),
            (
                format!("{head}[services.a]\n[groups.g]\nmembers = [\"a\"]\nzz_unknown = 1\n"),
                &s["$defs"]["group"],
            ),
            (
                format!("{head}[live]\nzz_unknown = 1\n"),
                &s["$defs"]["live"],
            ),
        ];
        for (text, schema) in cases {
            assert_eq!(accepted(&text), props(schema), "for:\n{text}");
        }
        let mut top = accepted(&format!("zz_unknown = 1\n{head}"));
        top.sort();
        assert_eq!(top, props(&s));
    }

    #[test]
    fn the_schema_has_exactly_the_values_the_loader_accepts() {
        let s = json_schema();
        let head = "[topology]\nname = \"t\"\n";
        let cases = [
            (
                format!("{head}[services.a]\ncriticality = \"zz\"\n"),
                &s["$defs"]["service"]["properties"]["criticality"],
            ),
            (
                format!("{head}[services.a]\nstate = \"zz\"\n"),
                &s["$defs"]["service"]["properties"]["state"],
            ),
            (
                format!("{head}[services.a]\n[groups.g]\nmembers = [\"a\"]\nmode = \"zz\"\n"),
                &s["$defs"]["group"]["properties"]["mode"],
            ),
            (
                format!("{head}[services.a]\n[groups.g]\nmembers = [\"a\"]\nfailover = \"zz\"\n"),
                &s["$defs"]["group"]["properties"]["failover"],
            ),
        ];
        for (text, schema) in cases {
            let mut values: Vec<String> = schema["enum"]
                .as_array()
                .expect("an enum")
                .iter()
                .map(|v| v.as_str().expect("a string").to_string())
                .collect();
            values.sort();
            assert_eq!(accepted(&text), values, "for:\n{text}");
        }
    }

    #[test]
    fn the_committed_schema_file_is_the_generated_one() {
        let committed = include_str!("../../assets/topology.schema.json");
        assert_eq!(
            committed,
            json_schema_text(),
            "regenerate: cargo run -- schema > assets/topology.schema.json"
        );
    }
}
