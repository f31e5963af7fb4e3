"""Guided retraining protocol (issue 6): templates and plans as data, the Qt-free block
state machine, the end-of-session pipeline (store + comparison + PDF), headless runs.

Modules (import the one you need; nothing heavy is imported here):

- ``templates``  — :class:`Template` / :class:`BlockSpec` (TOML data in ``protocols/``),
  validation with one sentence per problem, :class:`TemplateLibrary` (shipped + user +
  runner-saved templates);
- ``plan``       — multi-session plans: which session is today for a runner;
- ``voice``      — spoken block transitions (pre-rendered espeak-ng clips);
- ``runner``     — :class:`ProtocolRunner`, the block state machine driven by ``tick``;
- ``finish``     — stop, store, compare baseline vs retention, write the report;
- ``session``    — a whole protocol run headless (pipeline + audio + recorder + runner).
"""
