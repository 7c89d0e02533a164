//! The one place secrets are written out: the cache's records (the token
//! entry and the device file). `Secret` itself has no `Serialize`, so no
//! other code can put a token or a device password in a JSON document by
//! accident.

use serde::ser::{SerializeStruct as _, Serializer};

use crate::Tokens;
use crate::device::Device;

/// The tokens of a cache entry, with their raw values (the field names are
/// the ones `Tokens` deserializes).
pub(crate) fn tokens<S: Serializer>(t: &Tokens, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Tokens", 5)?;
    st.serialize_field("id_token", t.id_token.expose())?;
    st.serialize_field("access_token", t.access_token.expose())?;
    st.serialize_field(
        "refresh_token",
        &t.refresh_token.as_ref().map(crate::Secret::expose),
    )?;
    st.serialize_field("token_type", &t.token_type)?;
    st.serialize_field("expires_at", &t.expires_at)?;
    st.end()
}

/// A remembered device, with its password (the field names are the ones
/// `Device` deserializes).
pub(crate) fn device<S: Serializer>(d: &Device, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Device", 3)?;
    st.serialize_field("key", &d.key)?;
    st.serialize_field("group_key", &d.group_key)?;
    st.serialize_field("password", d.password.expose())?;
    st.end()
}

#[cfg(test)]
mod tests {
    use crate::{Secret, Tokens};

    /// What the record writes is what `Tokens` reads back, field for field.
    #[test]
    fn tokens_round_trip_through_the_record() {
        let t = Tokens {
            id_token: Secret::new("id"),
            access_token: Secret::new("access"),
            refresh_token: None,
            token_type: "Bearer".into(),
            expires_at: 42,
            new_device: None,
        };
        let mut out = Vec::new();
        super::tokens(&t, &mut serde_json::Serializer::new(&mut out)).unwrap();
        let back: Tokens = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, t);
    }
}
