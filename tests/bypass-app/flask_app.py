"""The bypass suite's API under Flask (Werkzeug's development server): a
decoding upstream. Werkzeug decodes the path before routing (`%2F` included),
upper-cases the method, answers HEAD with the GET handler and prefers static
segments over variables. No authorization at all: the proxy in front is what
protects the handlers. Usage: python flask_app.py PORT (BYPASS_HITS set)."""

import os
import sys

from flask import Flask

app = Flask(__name__)


def hit(name):
    with open(os.environ['BYPASS_HITS'], 'a') as f:
        f.write(name + '\n')
    return {'handler': name}


@app.get('/items/<id>')
def item(id):
    return hit('item')


@app.get('/items/secret')
def secret():
    return hit('secret')


@app.get('/reports')
def reports():
    return hit('reports')


@app.route('/admin/<item>', methods=['GET', 'POST'])
def admin(item):
    return hit('admin')


@app.get('/<page>')
def page(page):
    return hit('page')


@app.get('/<section>/<page>')
def section_page(section, page):
    return hit('section-page')


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]), threaded=True)
