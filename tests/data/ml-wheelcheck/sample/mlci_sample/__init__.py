"""A sample ML package for ml-wheelcheck's tests."""
__version__ = "1.2.0"
