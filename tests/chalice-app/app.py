"""A tiny Chalice API behind CognitoUserPoolAuthorizer, as in the seed's
example, for the end-to-end test of `cognito-token proxy` in front of
`chalice local` (crates/cli/tests/cli/proxy.rs)."""

from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name='proxy-e2e')

authorizer = CognitoUserPoolAuthorizer(
    'MyPool',
    provider_arns=['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example'],
)


@app.route('/user-pools', methods=['GET'], authorizer=authorizer)
def authenticated():
    claims = app.current_request.context.get('authorizer', {}).get('claims', {})
    return {'success': True, 'username': claims.get('cognito:username')}


@app.route('/admin/{item}', methods=['GET', 'POST'],
           authorizer=authorizer.with_scopes(['api/admin']))
def admin(item):
    return {'admin': item}


@app.route('/health')
def health():
    return {'ok': True}
