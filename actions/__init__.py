"""Targeting Support Meetings: the actions agreed for pupils and cohorts, the support
checklist they are chosen from, the evidence of support, the impact of each strategy and
the meeting pack exports.

- `actions.strategies`: the checklist (data/reference/support_strategies.csv), its groups,
  the graduated response's stages and the statuses an action can have;
- `actions.store`: the writable action store in the app store (auth.store, SQLite), keyed by
  urn + the warehouse's pupil_id so actions survive warehouse rebuilds, with an append-only
  history of every edit;
- `actions.evidence`: attendance before and after each action, and the formal-step warning;
- `actions.agenda`: the meeting's agenda assembled from the warehouse;
- `actions.impact`: attendance before and after each strategy across the viewer's scope;
- `actions.exports`: the meeting pack (PDF, Excel) and the governors' termly report (PDF).

Pages call these; the SQL is in queries/meeting_*.sql.
"""
