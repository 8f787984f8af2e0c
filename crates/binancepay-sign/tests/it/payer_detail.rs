//! `payer_detail::decrypt` against the shared vectors of `tests/data/payer_detail/vectors.json`
//! (made with pyca/cryptography, see the README there); the npm and Python packages run the same file.

use binancepay_sign::{ApiSecret, payer_detail};

#[derive(Debug, serde::Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Debug, serde::Deserialize)]
struct Case {
    name: String,
    secret: String,
    data: String,
    plaintext: Option<String>,
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/payer_detail/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: File = serde_json::from_str(&text).expect("vectors.json");
    file.cases
}

#[test]
fn every_shared_vector() {
    let cases = cases();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    let (mut ok, mut failing) = (0, 0);
    for case in cases {
        let secret = ApiSecret::new(case.secret.as_str()).expect("non-empty secret");
        let got = payer_detail::decrypt(&secret, &case.data);
        match (&case.plaintext, &case.error) {
            (Some(plaintext), None) => {
                let detail = got.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                assert_eq!(detail.as_str(), plaintext, "{}", case.name);
                ok += 1;
            }
            (None, Some(code)) => {
                let err = got.map(|_| ()).expect_err(&case.name);
                assert_eq!(err.code(), code, "{}", case.name);
                failing += 1;
            }
            _ => panic!("{}: exactly one of plaintext and error", case.name),
        }
    }
    assert!(
        ok >= 4 && failing >= 10,
        "{ok} decrypting, {failing} failing"
    );
}

#[test]
fn errors_never_carry_the_plaintext_or_secret() {
    for case in cases() {
        let secret = ApiSecret::new(case.secret.as_str()).expect("non-empty secret");
        let shown = match payer_detail::decrypt(&secret, &case.data) {
            Ok(detail) => format!("{detail:?}"),
            Err(err) => format!("{err} {err:?}"),
        };
        assert!(!shown.contains(&case.secret), "{}", case.name);
        if let Some(plaintext) = case.plaintext.filter(|p| p.len() > 2) {
            assert!(!shown.contains(&plaintext), "{}", case.name);
        }
    }
}
