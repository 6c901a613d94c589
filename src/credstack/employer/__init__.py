"""Employer-side logic, pure: trust signals, candidate ranking, workforce audit, bulk verification reports.

No I/O here: values in, values out (files and databases live in services).
"""
