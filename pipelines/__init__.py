"""caseaudit: a nightly census of probation case supervision against the ESI criteria."""
