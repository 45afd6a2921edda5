//! How answers are printed: the API's JSON with `--json`, otherwise a list
//! as an aligned table of chosen columns, an object as `field  value` lines.

use serde_json::Value;

/// How to show one command's answer.
#[derive(Debug, Clone, Copy)]
pub enum View {
    /// `items` as a table with these columns (JSON field names).
    Table(&'static [&'static str]),
    /// One object, every field on a line.
    Object,
    /// No body: print this confirmation.
    Done(&'static str),
    /// One object, described by this function.
    Custom(fn(&Value) -> String),
}

/// Renders `answer` for a terminal.
pub fn render(view: View, answer: Option<&Value>) -> String {
    match (view, answer) {
        (View::Table(columns), Some(answer)) => table(columns, answer),
        (View::Object, Some(answer)) => object(answer),
        (View::Done(message), _) => format!("{message}\n"),
        (View::Custom(describe), Some(answer)) => describe(answer),
        (_, None) => String::new(),
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A column names a field, or a nested one as `outer.inner`.
fn field<'a>(item: &'a Value, column: &str) -> &'a Value {
    column.split('.').fold(item, |value, key| &value[key])
}

/// The heading of a column: its last name.
fn heading(column: &str) -> &str {
    column.rsplit('.').next().unwrap_or(column)
}

fn table(columns: &[&str], answer: &Value) -> String {
    let rows: Vec<Vec<String>> = answer["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    columns
                        .iter()
                        .map(|column| cell(field(item, column)))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            rows.iter()
                .map(|row| row[index].chars().count())
                .chain([heading(column).len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let header: Vec<String> = columns
        .iter()
        .map(|column| heading(column).to_uppercase())
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(text, width)| format!("{text:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if let Some(cursor) = answer["next_cursor"].as_str() {
        out.push_str(&format!("(more: --cursor {cursor})\n"));
    }
    out
}

fn object(answer: &Value) -> String {
    let Some(fields) = answer.as_object() else {
        return format!("{}\n", cell(answer));
    };
    let width = fields.keys().map(String::len).max().unwrap_or(0);
    fields
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::Object(_) => value.to_string(),
                other => cell(other),
            };
            format!("{key:<width$}  {text}\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_aligned_tables_and_objects_field_lines() {
        let answer = json!({"items": [
            {"domain": "a.test", "status": "active"},
            {"domain": "longer.test", "status": null}
        ], "next_cursor": "c1"});
        assert_eq!(
            render(View::Table(&["domain", "status"]), Some(&answer)),
            "DOMAIN       STATUS\na.test       active\nlonger.test  -\n(more: --cursor c1)\n"
        );
        let object = json!({"id": "x", "scopes": ["imap", "lmtp-submit"]});
        assert_eq!(
            render(View::Object, Some(&object)),
            "id      x\nscopes  imap,lmtp-submit\n"
        );
        assert_eq!(render(View::Done("deleted"), None), "deleted\n");
        let nested = json!({"items": [{"id": "j1", "progress": {"messages_total": 7}}]});
        assert_eq!(
            render(
                View::Table(&["id", "progress.messages_total"]),
                Some(&nested)
            ),
            "ID  MESSAGES_TOTAL\nj1  7\n"
        );
    }
}
