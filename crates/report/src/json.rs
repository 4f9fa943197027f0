//! Reading results.json back: serde_json writes a NaN or infinite `f64` as `null`, which plain
//! deserialisation rejects. [`from_str_lenient`] reads such a `null` back as NaN in an `f64` field (and as
//! `None` in an `Option<f64>`), so a run whose degenerate data gave undefined numbers can still be reported.
//! A field that does not read is named by its JSON path (`cohorts[2].n_lesions: invalid type: ...`).

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

/// Parse JSON into `T`, reading `null` as NaN where `T` wants an `f64`; an error names the field's JSON path.
pub fn from_str_lenient<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let v: Value = serde_json::from_str(text).map_err(|inner| JsonError {
        path: String::new(),
        inner,
    })?;
    serde_path_to_error::deserialize(Lenient(v)).map_err(|e| {
        // The root's path prints as "." (or "?" when unknown): say nothing rather than that.
        let path = e.path().to_string();
        JsonError {
            path: if path.chars().all(|c| c == '.' || c == '?') {
                String::new()
            } else {
                path
            },
            inner: e.into_inner(),
        }
    })
}

/// JSON that did not read: the path of the field at fault (`flow.n_analysed`, `cohorts[2].n_lesions`; empty for the
/// document as a whole, e.g. a syntax error) and serde's reason.
#[derive(Debug)]
pub struct JsonError {
    path: String,
    inner: serde_json::Error,
}

impl JsonError {
    /// The JSON path of the field at fault; empty when the error is not inside one field.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.inner)
        } else {
            write!(f, "{}: {}", self.path, self.inner)
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

struct Lenient(Value);

impl<'de> de::Deserializer<'de> for Lenient {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(a) => visitor.visit_seq(Seq(a.into_iter())),
            Value::Object(m) => visitor.visit_map(Map {
                iter: m.into_iter(),
                value: None,
            }),
            other => de::Deserializer::deserialize_any(other, visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_f64(f64::NAN),
            other => de::Deserializer::deserialize_f64(other, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Lenient(other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_enum(self.0, name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Seq {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Lenient(v)))
            .transpose()
    }
}

struct Map {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for Map {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(k.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(Lenient(self.value.take().unwrap_or(Value::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Row {
        estimate: f64,
        conf_low: Option<f64>,
        n: usize,
        values: Vec<(Option<f64>, f64)>,
        term: String,
    }

    #[test]
    fn null_reads_as_nan_or_none() {
        let r: Row = from_str_lenient(
            r#"{"estimate": null, "conf_low": null, "n": 3, "values": [[null, 1.5], [2.0, null]], "term": "x"}"#,
        )
        .unwrap();
        assert!(r.estimate.is_nan() && r.conf_low.is_none() && r.n == 3 && r.term == "x");
        assert_eq!(r.values[0].0, None);
        assert_eq!(r.values[1].0, Some(2.0));
        assert!(r.values[1].1.is_nan());
        assert!(from_str_lenient::<Row>(r#"{"estimate": 1.0}"#).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        #[allow(dead_code)]
        rows: Vec<Row>,
    }

    #[test]
    fn errors_name_the_json_path() {
        let row = r#"{"estimate": 1, "conf_low": null, "n": 3, "values": [], "term": "x"}"#;
        let bad_type = format!(
            r#"{{"rows": [{row}, {row}, {{"estimate": 1, "conf_low": null, "n": "a", "values": [], "term": "x"}}]}}"#
        );
        let e = from_str_lenient::<Doc>(&bad_type).unwrap_err();
        assert_eq!(e.path(), "rows[2].n");
        assert_eq!(
            e.to_string(),
            r#"rows[2].n: invalid type: string "a", expected usize"#
        );
        let missing = format!(r#"{{"rows": [{row}, {{"estimate": 1, "n": 3, "values": []}}]}}"#);
        let e = from_str_lenient::<Doc>(&missing).unwrap_err();
        assert_eq!(e.to_string(), "rows[1]: missing field `term`");
        let e = from_str_lenient::<Doc>("{}").unwrap_err();
        assert_eq!(e.to_string(), "missing field `rows`");
        let e = from_str_lenient::<Doc>("{\"rows\": [").unwrap_err();
        assert_eq!(e.path(), "");
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
