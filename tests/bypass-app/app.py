"""The bypass suite's API (crates/cli/tests/cli/proxy/bypass.rs), as a
Chalice app: routes that overlap, one declared before the more specific
route it overlaps, scoped routes and open wildcards. Every handler appends
its name to the file named by BYPASS_HITS, so the test sees which handler a
request reached. `flask_app.py` is the same API under Flask."""

import os

from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name='proxy-bypass')

authorizer = CognitoUserPoolAuthorizer(
    'MyPool',
    provider_arns=['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example'],
)


def hit(name):
    with open(os.environ['BYPASS_HITS'], 'a') as f:
        f.write(name + '\n')
    return {'handler': name}


# Declared before the literal route it overlaps (issue 21, "High").
@app.route('/items/{id}')
def item(id):
    return hit('item')


@app.route('/items/secret', authorizer=authorizer)
def secret():
    return hit('secret')


@app.route('/reports', authorizer=authorizer.with_scopes(['api/admin']), cors=True)
def reports():
    return hit('reports')


@app.route('/admin/{item}', methods=['GET', 'POST'],
           authorizer=authorizer.with_scopes(['api/admin']))
def admin(item):
    return hit('admin')


# Open wildcards: what a request the proxy matched differently would reach.
@app.route('/{page}')
def page(page):
    return hit('page')


@app.route('/{section}/{page}')
def section_page(section, page):
    return hit('section-page')
