"""Publish: read-only over the marts, every figure through the disclosure rule.

tables (reads of the marts), disclosure (the small-numbers rule and the public
night), files (the night's CSVs, report and Data Docs in the publish folder),
report (report.html from templates/: report_data gathers, report_compare,
report_trends, report_sample and report_calibration shape the sections,
report_charts draws with Altair and vl-convert, funnel holds the control
limits, report_format the words and palette), explain and summary (the
terminal).
"""
