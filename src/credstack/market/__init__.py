"""Job-market intelligence, pure: postings, deduplication, demand aggregation, trends, forecasts, market value.

No I/O here: values in, values out (files and databases live in services).
"""
