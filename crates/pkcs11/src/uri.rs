//! RFC 7512 PKCS#11 URIs: which token and key (the path attributes), and
//! which module and PIN (the query attributes). Values are
//! percent-decoded; a malformed or unknown attribute is refused naming it.

use crate::error::Pkcs11Error;
use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

/// The environment variable naming the module for URIs without
/// `module-path` or `module-name`.
pub const MODULE_ENV: &str = "CERTKIT_PKCS11_MODULE";

/// A parsed `pkcs11:` URI, as far as certkit uses it.
#[derive(Default)]
pub struct Pkcs11Uri {
    /// `token`: the token's label.
    pub token: Option<String>,
    /// `manufacturer`, `model` and `serial`: more of the token's info.
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// `slot-id`: the slot's number.
    pub slot_id: Option<u64>,
    /// `object`: the key's label (CKA_LABEL).
    pub object: Option<String>,
    /// `id`: the key's CKA_ID, as bytes.
    pub id: Option<Vec<u8>>,
    /// `module-path`: the module's file.
    pub module_path: Option<String>,
    /// `module-name`: the module's name, looked up in the system's
    /// PKCS#11 directory.
    pub module_name: Option<String>,
    /// Where the PIN comes from.
    pub pin: Option<PinSource>,
}

/// Where the user PIN comes from. `pin-value` is kept zeroized.
pub enum PinSource {
    Value(Zeroizing<String>),
    /// `pin-source`: `file:PATH`, `env:VAR` or a path, read as certkit's
    /// other secrets are (the first line).
    Source(String),
}

/// Whether a key argument names a token key rather than a file.
pub fn is_pkcs11_uri(arg: &str) -> bool {
    arg.starts_with("pkcs11:")
}

/// A URI as messages show it: without its query, where a PIN may be.
pub fn without_query(uri: &str) -> &str {
    uri.split_once('?').map_or(uri, |(path, _)| path)
}

impl Pkcs11Uri {
    /// Parses a URI. The error names the attribute that is wrong, never
    /// its value (a PIN may be in it).
    pub fn parse(uri: &str) -> Result<Pkcs11Uri, Pkcs11Error> {
        let rest = uri
            .strip_prefix("pkcs11:")
            .ok_or_else(|| Pkcs11Error::uri("scheme", "does not start with pkcs11:"))?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut parsed = Pkcs11Uri::default();
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = split_attr(attr)?;
            parsed.set_path_attr(name, value)?;
        }
        for attr in query.into_iter().flat_map(|q| q.split('&')) {
            if attr.is_empty() {
                continue;
            }
            let (name, value) = split_attr(attr)?;
            parsed.set_query_attr(name, value)?;
        }
        if parsed.token.is_none()
            && parsed.serial.is_none()
            && parsed.slot_id.is_none()
            && parsed.model.is_none()
            && parsed.manufacturer.is_none()
        {
            // RFC 7512 allows it, but with several tokens the first one
            // found would be a guess; a CA key is named exactly.
            return Err(Pkcs11Error::uri(
                "token",
                "name the token (token=, serial= or slot-id=)",
            ));
        }
        if parsed.object.is_none() && parsed.id.is_none() {
            return Err(Pkcs11Error::uri("object", "name the key (object= or id=)"));
        }
        Ok(parsed)
    }

    fn set_path_attr(&mut self, name: &str, value: &str) -> Result<(), Pkcs11Error> {
        let text = || decode_text(name, value);
        match name {
            "token" => set_once(&mut self.token, name, text()?),
            "manufacturer" => set_once(&mut self.manufacturer, name, text()?),
            "model" => set_once(&mut self.model, name, text()?),
            "serial" => set_once(&mut self.serial, name, text()?),
            "object" => set_once(&mut self.object, name, text()?),
            "id" => set_once(&mut self.id, name, decode(name, value)?),
            "slot-id" => {
                let id = text()?
                    .parse::<u64>()
                    .map_err(|_| Pkcs11Error::uri(name, "is not a decimal number"))?;
                set_once(&mut self.slot_id, name, id)
            }
            "type" => match text()?.as_str() {
                "private" => Ok(()),
                _ => Err(Pkcs11Error::uri(
                    name,
                    "a CA key is a private key (type=private)",
                )),
            },
            // Attributes that describe the library or slot further: they
            // do not change which key a CA uses, and RFC 7512 lets a
            // consumer match on fewer attributes.
            "library-manufacturer"
            | "library-description"
            | "library-version"
            | "slot-description"
            | "slot-manufacturer" => Ok(()),
            other if other.starts_with("x-") => Ok(()),
            other => Err(Pkcs11Error::uri(other, "is not an RFC 7512 path attribute")),
        }
    }

    fn set_query_attr(&mut self, name: &str, value: &str) -> Result<(), Pkcs11Error> {
        match name {
            "module-path" => set_once(&mut self.module_path, name, decode_text(name, value)?),
            "module-name" => set_once(&mut self.module_name, name, decode_text(name, value)?),
            "pin-value" => {
                let pin = Zeroizing::new(decode(name, value)?);
                let pin = std::str::from_utf8(&pin)
                    .map_err(|_| Pkcs11Error::uri(name, "is not UTF-8"))?;
                set_once(
                    &mut self.pin,
                    "pin-value or pin-source",
                    PinSource::Value(Zeroizing::new(pin.to_string())),
                )
            }
            "pin-source" => set_once(
                &mut self.pin,
                "pin-value or pin-source",
                PinSource::Source(decode_text(name, value)?),
            ),
            other if other.starts_with("x-") => Ok(()),
            other => Err(Pkcs11Error::uri(
                other,
                "is not an RFC 7512 query attribute",
            )),
        }
    }

    /// The module file to load: `module-path`, else `module-name` in the
    /// system's PKCS#11 module directory, else `$CERTKIT_PKCS11_MODULE`.
    pub fn module(&self) -> Result<String, Pkcs11Error> {
        if let Some(path) = &self.module_path {
            return Ok(path.clone());
        }
        if let Some(name) = &self.module_name {
            if name.contains('/') {
                return Err(Pkcs11Error::uri(
                    "module-name",
                    "is a name, not a path (use module-path)",
                ));
            }
            let file = if name.ends_with(".so") {
                name.clone()
            } else {
                format!("{name}.so")
            };
            return Ok(format!("{}/{file}", module_dir()));
        }
        match std::env::var(MODULE_ENV) {
            Ok(path) if !path.is_empty() => Ok(path),
            _ => Err(Pkcs11Error::NoModule),
        }
    }
}

/// Where Debian's p11-kit looks for modules by name.
fn module_dir() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "/usr/lib/aarch64-linux-gnu/pkcs11"
    } else {
        "/usr/lib/x86_64-linux-gnu/pkcs11"
    }
}

fn split_attr(attr: &str) -> Result<(&str, &str), Pkcs11Error> {
    // Without '=' the text is not named: it may be a mistyped PIN.
    attr.split_once('=')
        .ok_or_else(|| Pkcs11Error::uri("an attribute", "has no value (name=value)"))
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), Pkcs11Error> {
    if slot.is_some() {
        return Err(Pkcs11Error::uri(name, "is given more than once"));
    }
    *slot = Some(value);
    Ok(())
}

fn decode(name: &str, value: &str) -> Result<Vec<u8>, Pkcs11Error> {
    // A '%' not followed by two hex digits is left as is by the crate;
    // RFC 3986 says it is malformed.
    let bytes = value.as_bytes();
    for (i, _) in value.match_indices('%') {
        let ok = bytes
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if !ok {
            return Err(Pkcs11Error::uri(name, "has a malformed %-escape"));
        }
    }
    Ok(percent_decode_str(value).collect())
}

fn decode_text(name: &str, value: &str) -> Result<String, Pkcs11Error> {
    String::from_utf8(decode(name, value)?).map_err(|_| Pkcs11Error::uri(name, "is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_examples_and_certkits_parse() {
        let u = Pkcs11Uri::parse(
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=private;id=%69%95%3E%5C%F4%BD%EC%91?pin-source=file:/etc/token&module-path=/usr/lib/x.so",
        )
        .unwrap();
        assert_eq!(u.token.as_deref(), Some("The Software PKCS#11 Softtoken"));
        assert_eq!(u.manufacturer.as_deref(), Some("Snake Oil, Inc."));
        assert_eq!(u.object.as_deref(), Some("my-certificate"));
        assert_eq!(
            u.id.as_deref(),
            Some(&[0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91][..])
        );
        assert!(matches!(u.pin, Some(PinSource::Source(ref s)) if s == "file:/etc/token"));
        assert_eq!(u.module().unwrap(), "/usr/lib/x.so");
        let u =
            Pkcs11Uri::parse("pkcs11:slot-id=7;object=ca?module-name=libsofthsm2&pin-value=1234")
                .unwrap();
        assert_eq!(u.slot_id, Some(7));
        assert!(matches!(u.pin, Some(PinSource::Value(ref p)) if p.as_str() == "1234"));
        assert!(u.module().unwrap().ends_with("/pkcs11/libsofthsm2.so"));
    }

    #[test]
    fn errors_name_the_attribute_and_never_the_pin() {
        let e = |uri: &str| Pkcs11Uri::parse(uri).err().unwrap().to_string();
        assert!(e("pkcs11:token=a;object=b;colour=red").contains("colour"));
        assert!(e("pkcs11:token=a;object=b;slot-id=x").contains("slot-id"));
        assert!(e("pkcs11:token=a;object=b;type=public").contains("type"));
        assert!(e("pkcs11:token=a%zz;object=b").contains("token"));
        assert!(e("pkcs11:token=a;token=b;object=c").contains("more than once"));
        assert!(e("pkcs11:object=b").contains("token"));
        assert!(e("pkcs11:token=a").contains("object"));
        let pin = e("pkcs11:token=a;object=b?pin-value=s3cr%et");
        assert!(pin.contains("pin-value") && !pin.contains("s3cr"), "{pin}");
        let pin = e("pkcs11:token=a;object=b?pin-valuesecret123");
        assert!(!pin.contains("secret123"), "{pin}");
    }
}
