"""What the tests of every app share: personas, factories, servers and the browser helper.

Test code only: no runtime module imports it (testing/tests/test_floor.py), and it is no installed app.
"""
