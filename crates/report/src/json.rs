//! Reading results.json back: serde_json writes a NaN or infinite `f64` as `null`, which plain
//! deserialisation rejects. [`from_str_lenient`] reads such a `null` back as NaN in an `f64` field (and as
//! `None` in an `Option<f64>`), so a run whose degenerate data gave undefined numbers can still be reported.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

/// Parse JSON into `T`, reading `null` as NaN where `T` wants an `f64`.
pub fn from_str_lenient<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let v: Value = serde_json::from_str(text)?;
    T::deserialize(Lenient(v))
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

    #[derive(serde::Deserialize)]
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
}
