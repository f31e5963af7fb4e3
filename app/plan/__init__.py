"""From assessment to plan (issue 15): the clinical picture, the programme, the load log.

Qt-free. Modules (import the one you need; nothing heavy is imported here):

- ``faults``     — the fault catalogue: each fault's metric and direction, the chain it
  belongs to (overstride, hip control, hip extension, ankle), the tissue it tends to load;
- ``picture``    — :func:`clinical_picture`: rank faults by how far each metric lies
  outside its band relative to its own step-to-step noise, name the primary candidate and
  its compensations with their evidence (both sides);
- ``assessment`` — read an assessment: an ``analyze`` JSON, a recorded session (its
  baseline block when it has one), a video or landmark file, or the demo runner;
- ``programme``  — propose a programme (retraining template + 3–6 exercises), edit it;
- ``load``       — weekly load log guidance and the reassessment due date;
- ``printout``   — the PDF pages: the clinician's picture and the runner's programme.
"""
