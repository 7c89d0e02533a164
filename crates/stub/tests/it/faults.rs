//! Fault injection: throttling, server errors, garbage and hangs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use cognito_stub::{ClientSpec, Fault, PoolSpec, UserSpec};
use serde_json::Value;

use crate::support::{fixture, raw};

#[test]
fn faults() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.add_user(&f.pool, UserSpec::new("jo", "Passw0rd!"));
    f.stub.set_fault(Some(Fault::Throttle { times: 2 }));
    assert_eq!(
        f.password_auth("jo", "Passw0rd!", None)
            .error("TooManyRequestsException"),
        "Rate exceeded"
    );
    f.password_auth("jo", "Passw0rd!", None)
        .error("TooManyRequestsException");
    f.password_auth("jo", "Passw0rd!", None).ok();

    f.stub.set_fault(Some(Fault::ServerError { times: 1 }));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!(r.status, 500);
    assert_eq!(r.header("x-amzn-errortype"), Some("InternalErrorException"));
    f.password_auth("jo", "Passw0rd!", None).ok();

    f.stub.set_fault(Some(Fault::Garbage));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.body).is_err());

    f.stub
        .set_fault(Some(Fault::Status(503, "{\"message\":\"down\"}".into())));
    let r = f.password_auth("jo", "Passw0rd!", None);
    assert_eq!((r.status, r.body.as_str()), (503, "{\"message\":\"down\"}"));

    f.stub.set_fault(Some(Fault::CloseConnection));
    let body = r#"{"AuthFlow":"USER_PASSWORD_AUTH"}"#;
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(
        raw(&f.stub, &req).is_err(),
        "connection should close without a response"
    );

    f.stub.set_fault(Some(Fault::Hang));
    let mut s = TcpStream::connect(f.stub.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = [0u8; 16];
    let e = s.read(&mut buf).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{e:?}"
    );

    f.stub.set_fault(None);
    f.password_auth("jo", "Passw0rd!", None).ok();
    let n = f
        .stub
        .requests()
        .iter()
        .filter(|r| r.target == "InitiateAuth")
        .count();
    assert_eq!(n, 10);
    // Dropping the stub with a hanging connection must not block.
    drop(f);
}
