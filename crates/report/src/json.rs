//! results.json in both directions. JSON has no NaN or infinity, and serde_json writes such an `f64` as `null`:
//! [`to_string_pretty`] writes them as the strings `"NaN"`, `"Inf"` and `"-Inf"` instead (as R's jsonlite does),
//! every finite number exactly as serde_json writes it. [`from_str_lenient`] reads those strings back as the same
//! values in an `f64` field, and a `null` as NaN (as `None` in an `Option<f64>`; results.json of older versions),
//! so a run whose degenerate data gave undefined or infinite numbers is reported the same from its results.json.
//! A field that does not read is named by its JSON path (`cohorts[2].n_lesions: invalid type: ...`).

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde::ser::{self, Serialize, Serializer};
use serde_json::Value;

/// Parse JSON into `T`, reading `"NaN"`, `"Inf"`, `"-Inf"` and `null` as those values (null: NaN) where `T`
/// wants an `f64`; an error names the field's JSON path.
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
        match non_finite(&self.0) {
            Some(x) => visitor.visit_f64(x),
            None => de::Deserializer::deserialize_f64(self.0, visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match non_finite(&self.0) {
            Some(x) => visitor.visit_f32(x as f32),
            None => de::Deserializer::deserialize_f32(self.0, visitor),
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
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The non-finite number a JSON value stands for in a number field: `null` (NaN), `"NaN"`, `"Inf"`, `"-Inf"`.
fn non_finite(v: &Value) -> Option<f64> {
    match v {
        Value::Null => Some(f64::NAN),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
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

/// `value` as pretty JSON (two-space indent, as `serde_json::to_string_pretty`), NaN and infinities written as
/// the strings `"NaN"`, `"Inf"` and `"-Inf"` wherever an `f64` or `f32` is serialised; the rest unchanged.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::pretty(&mut out);
    Texted(value).serialize(&mut ser)?;
    // serde_json writes only valid UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The text of a non-finite number in JSON; None for a finite one.
fn non_finite_text(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x == f64::INFINITY {
        Some("Inf")
    } else if x == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// A value serialised through [`TextSer`]: every number inside it, at any depth, passes the non-finite check.
struct Texted<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Texted<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(TextSer(serializer))
    }
}

/// A serializer that hands everything to the one it wraps, writing non-finite floats as text.
struct TextSer<S>(S);

/// The compound serializers of [`TextSer`]: each element goes through [`Texted`].
struct TextCompound<C>(C);

impl<S: Serializer> Serializer for TextSer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = TextCompound<S::SerializeSeq>;
    type SerializeTuple = TextCompound<S::SerializeTuple>;
    type SerializeTupleStruct = TextCompound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = TextCompound<S::SerializeTupleVariant>;
    type SerializeMap = TextCompound<S::SerializeMap>;
    type SerializeStruct = TextCompound<S::SerializeStruct>;
    type SerializeStructVariant = TextCompound<S::SerializeStructVariant>;

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        match non_finite_text(v) {
            Some(t) => self.0.serialize_str(t),
            None => self.0.serialize_f64(v),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        match non_finite_text(f64::from(v)) {
            Some(t) => self.0.serialize_str(t),
            None => self.0.serialize_f32(v),
        }
    }
    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.0.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.0.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.0.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.0.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.0.serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<S::Ok, S::Error> {
        self.0.serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.0.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.0.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.0.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.0.serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<S::Ok, S::Error> {
        self.0.serialize_u128(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.0.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.0.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Texted(value))
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Texted(value))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Texted(value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(TextCompound)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(TextCompound)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(TextCompound)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(TextCompound)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(TextCompound)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(TextCompound)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(TextCompound)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A compound serializer of elements (a sequence, a tuple) whose every element is wrapped in [`Texted`].
macro_rules! texted_elements {
    ($trait:ident, $method:ident) => {
        impl<C: ser::$trait> ser::$trait for TextCompound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.0.$method(&Texted(value))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

texted_elements!(SerializeSeq, serialize_element);
texted_elements!(SerializeTuple, serialize_element);
texted_elements!(SerializeTupleStruct, serialize_field);
texted_elements!(SerializeTupleVariant, serialize_field);

impl<C: ser::SerializeMap> ser::SerializeMap for TextCompound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Texted(key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Texted(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

/// A compound serializer of named fields (a struct, a struct variant) whose every value is wrapped in [`Texted`].
macro_rules! texted_fields {
    ($trait:ident) => {
        impl<C: ser::$trait> ser::$trait for TextCompound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                self.0.serialize_field(key, &Texted(value))
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

texted_fields!(SerializeStruct);
texted_fields!(SerializeStructVariant);

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

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Numbers {
        x: f64,
        o: Option<f64>,
        v: Vec<f64>,
        t: (f32, Option<f64>),
        m: std::collections::BTreeMap<String, f64>,
    }

    #[test]
    fn non_finite_numbers_are_written_as_text_and_read_back() {
        let n = Numbers {
            x: f64::INFINITY,
            o: Some(f64::NEG_INFINITY),
            v: vec![0.1, f64::NAN, -2.5e-300, 1e300],
            t: (f32::INFINITY, None),
            m: [("a".to_string(), f64::NAN), ("b".to_string(), 3.0)].into(),
        };
        let text = to_string_pretty(&n).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"x": "Inf", "o": "-Inf", "v": [0.1, "NaN", -2.5e-300, 1e300],
                               "t": ["Inf", null], "m": {"a": "NaN", "b": 3.0}})
        );
        let back: Numbers = from_str_lenient(&text).unwrap();
        assert_eq!(back.x, f64::INFINITY);
        assert_eq!(back.o, Some(f64::NEG_INFINITY));
        assert!(back.v[1].is_nan() && back.m["a"].is_nan());
        assert_eq!((back.v[0], back.v[2], back.v[3]), (0.1, -2.5e-300, 1e300));
        assert_eq!(back.t, (f32::INFINITY, None));
        // Finite numbers (and everything else) are written exactly as serde_json writes them.
        let finite = Numbers {
            x: 0.1 + 0.2,
            o: None,
            v: vec![1.0, -0.0, 5e-324],
            t: (0.1, Some(2.0)),
            m: [("b".to_string(), 3.0)].into(),
        };
        assert_eq!(
            to_string_pretty(&finite).unwrap(),
            serde_json::to_string_pretty(&finite).unwrap()
        );
        // Other text in a number field ("inf": Rust's spelling, not ours) is an error naming the field.
        assert!(from_str_lenient::<Numbers>(
            r#"{"x": "inf", "o": null, "v": [], "t": [1, null], "m": {}}"#
        )
        .unwrap_err()
        .to_string()
        .starts_with("x: invalid type: string \"inf\""));
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
