"""The database scan of the anonymity tests reads every kind of column value."""

from schoolsafe.tips.tests.scan import as_text


def test_binary_values_are_searched_as_their_bytes_whatever_the_driver_returns():
    # Some database drivers return a binary column as a memoryview: the scan called .decode() on it, which it lacks.
    assert as_text(memoryview(b"Jane Doe")) == "Jane Doe"
    assert as_text(b"Jane Doe") == "Jane Doe"
    assert as_text(12) == "12"
