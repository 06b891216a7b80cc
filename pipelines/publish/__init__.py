"""Publish: read-only over the marts, every figure through the disclosure rule.

tables (reads of the marts), disclosure (the small-numbers rule and the public
night), files (the night's CSVs, report and Data Docs in the publish folder),
report, report_data and report_charts (report.html), explain and summary (the
terminal).
"""
