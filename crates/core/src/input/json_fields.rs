//! Go's encoding/json conventions for hand-walked JSON objects: keys match
//! case-insensitively, the last duplicate wins, and unknown keys are
//! reported rather than silently dropped.

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// An object's fields looked up case-insensitively, as Go's encoding/json
/// does; keys outside `known` are reported as warnings.
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    ctx: String,
    err: fn(String) -> Error,
}

impl<'a> Fields<'a> {
    pub fn new(
        obj: &'a Map<String, Value>,
        ctx: &str,
        known: &[&str],
        warnings: &mut Vec<String>,
        err: fn(String) -> Error,
    ) -> Self {
        for key in obj.keys() {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                warnings.push(format!("unknown field {ctx}{key:?} ignored"));
            }
        }
        Fields {
            obj,
            ctx: ctx.to_string(),
            err,
        }
    }

    /// Go keeps the last of several keys that match case-insensitively.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .next_back()
    }

    pub fn string(&self, name: &str) -> Result<String> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err((self.err)(format!(
                "{}{}: expected a string, found {}",
                self.ctx,
                display_key(name),
                kind(v)
            ))),
        }
    }
}

fn display_key(name: &str) -> String {
    match name {
        "cn" | "c" | "st" | "l" | "o" | "ou" | "e" => name.to_ascii_uppercase(),
        "serialnumber" => "SerialNumber".into(),
        other => other.into(),
    }
}

pub fn string_array(v: &Value, field: &str, err: fn(String) -> Error) -> Result<Vec<String>> {
    strings(v, field, err, false).map(|(items, _)| items)
}

/// As [`string_array`], but empty entries are dropped instead of refused;
/// also says whether any was dropped.
pub fn string_array_skip_empty(
    v: &Value,
    field: &str,
    err: fn(String) -> Error,
) -> Result<(Vec<String>, bool)> {
    strings(v, field, err, true)
}

fn strings(
    v: &Value,
    field: &str,
    err: fn(String) -> Error,
    skip_empty: bool,
) -> Result<(Vec<String>, bool)> {
    let items = match v {
        Value::Null => return Ok((Vec::new(), false)),
        Value::Array(items) => items,
        other => {
            return Err(err(format!(
                "{field}: expected an array of strings, found {}",
                kind(other)
            )))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    let mut dropped = false;
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
            Value::String(_) if skip_empty => dropped = true,
            Value::String(_) => return Err(err(format!("{field}[{i}]: empty entry"))),
            other => {
                return Err(err(format!(
                    "{field}[{i}]: expected a string, found {}",
                    kind(other)
                )))
            }
        }
    }
    Ok((out, dropped))
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
