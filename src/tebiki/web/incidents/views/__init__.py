"""Views of the incidents app: contacts (contacts.py), the report form (report.py) and the incident log (log.py)."""
