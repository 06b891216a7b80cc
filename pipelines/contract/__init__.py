"""The contract: what lands each night and what each stage hands the next.

exports (files, columns, keys, parents), reference (areas, calendar, rulebook),
identity (case_key) and handoff (an area's work folder). Every stage reads it;
it reads no stage.
"""
