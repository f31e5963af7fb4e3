"""The running faults the clinical picture reads, grouped into the chains clinicians read.

A *fault* is one metric (``app.gait.metrics.METRIC_SPECS``) outside its band in one
direction. A *chain* groups faults that usually share one driver: the driver is named
first when it is present; the others are read as its likely compensations.

- **overstride**: a reaching, braking landing — overstride with low cadence, the shank
  reaching at contact, heel strike, an extended (or over-flexed) knee, bouncing;
- **hip_control**: hip-abductor control — pelvic drop with knee valgus, crossover, a
  lateral trunk lean toward the stance side instead of the drop, heel whip, arm crossover;
- **hip_extension**: missing hip extension with a forward trunk lean (anterior pelvic tilt
  cannot be seen in 2D video and is listed as not measured);
- **ankle**: short stance / short ground contact hinting at limited ankle dorsiflexion.

``tissue`` says which tissue a fault tends to load — wording for a measured picture that
the clinician confirms or changes, never a diagnosis. Pure data, no numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: ``metric`` outside its band in ``direction`` ('high' or 'low').

    ``floor`` is the smallest step-to-step noise assumed for the metric, in its unit (a
    perfectly steady value must not make a tiny excess look large). ``template`` is the
    retraining protocol template that works on it (``protocols/templates``).
    """

    id: str
    label: str
    metric: str
    direction: str
    chain: str
    tissue: str
    finding: str
    floor: float
    template: str


@dataclass(frozen=True, slots=True)
class Chain:
    """Faults that usually share one driver. ``driver`` is the fault read as primary when
    it is present; ``deficit`` names what the chain points to, in a clinician's words;
    ``runner_goal`` the aim of the programme in the runner's words."""

    id: str
    label: str
    driver: str
    deficit: str
    runner_goal: str
    not_measured: tuple[str, ...] = ()


CHAINS: Mapping[str, Chain] = MappingProxyType({c.id: c for c in (
    Chain("overstride", "Braking landing", "overstride",
          "a reaching landing ahead of the hips that brakes each step",
          "Land with the foot closer under your hips, with quicker, lighter steps."),
    Chain("hip_control", "Hip-abductor control", "pelvic_drop",
          "hip abductors that do not hold the pelvis level in single-leg stance; the same "
          "deficit can show as pelvic drop, knee valgus, crossover or a lateral trunk lean "
          "toward the stance side",
          "Keep your hips level and your knee in line with your foot when you stand on one leg."),
    Chain("hip_extension", "Missing hip extension", "limited_hip_extension",
          "little hip extension at push-off, often from stiff hip flexors or weak gluteus "
          "maximus, made up for by leaning the trunk forward or tilting the pelvis",
          "Push the ground away behind you with a long hip and a tall trunk.",
          ("anterior pelvic tilt (no pelvis landmarks for it in 2D video)",)),
    Chain("ankle", "Limited ankle dorsiflexion (suspected)", "short_contact",
          "a short stance with an early heel rise, which hints at limited ankle "
          "dorsiflexion or a stiff calf",
          "Give your ankles more room to bend and your calves more spring.",
          ("heel-rise timing and ankle dorsiflexion range (check with a knee-to-wall test)",)),
)})

DEG, PCT_LEG = 1.0, 1.0

FAULTS: Mapping[str, Fault] = MappingProxyType({f.id: f for f in (
    # ---- overstride chain (side view)
    Fault("overstride", "Overstride", "overstride_pct_leg", "high", "overstride",
          "knee (patellofemoral joint) and tibia", "the foot lands well ahead of the hips",
          PCT_LEG, "overstride"),
    Fault("low_cadence", "Low cadence", "cadence_spm", "low", "overstride",
          "knee and hip (more load per step)", "few, long steps per minute", 1.0, "cadence"),
    Fault("shank_reach", "Reaching shank at contact", "shank_angle_ic_deg", "high", "overstride",
          "tibia and knee", "the shin reaches forward at contact (ankle ahead of the knee)",
          DEG, "overstride"),
    Fault("heel_strike", "Heel strike", "foot_strike_angle_deg", "high", "overstride",
          "tibia (shin) and knee", "a steep heel-first landing with the toes up", DEG, "cadence"),
    Fault("extended_knee", "Extended knee at contact", "knee_flexion_ic_deg", "low", "overstride",
          "knee and tibia (impact)", "the knee is nearly straight when the foot lands",
          DEG, "cadence"),
    Fault("stiff_knee", "Stiff knee in stance", "knee_flexion_peak_stance_deg", "low",
          "overstride", "knee, tibia and hip (little shock absorption)",
          "the knee bends little while the foot is on the ground", DEG, "cadence"),
    Fault("deep_knee", "Sitting into the knee", "knee_flexion_peak_stance_deg", "high",
          "overstride", "patellofemoral joint and quadriceps tendon",
          "the knee bends a lot in stance (sitting into each step)", DEG, "cadence"),
    Fault("bouncing", "Bouncing", "vertical_oscillation_pct_leg", "high", "overstride",
          "Achilles tendon and calf", "the hips travel far up and down each step",
          PCT_LEG, "cadence"),
    Fault("long_contact", "Long ground contact", "contact_ms", "high", "overstride",
          "knee and hip (long loading per step)", "each foot stays long on the ground",
          5.0, "cadence"),
    # ---- hip-abductor chain (rear/front view)
    Fault("pelvic_drop", "Pelvic drop", "pelvic_drop_deg", "high", "hip_control",
          "patellofemoral joint, lateral knee (iliotibial band) and lateral hip (gluteal "
          "tendons)", "the swing-side hip drops while standing on one leg", DEG, "hip_drop"),
    Fault("knee_valgus", "Knee valgus", "knee_valgus_fppa_deg", "high", "hip_control",
          "patellofemoral joint and medial knee", "the knee moves inward in stance",
          DEG, "knee_collapse"),
    Fault("crossover", "Crossover", "step_width_pct_pelvis", "low", "hip_control",
          "lateral knee (iliotibial band) and medial tibia", "the feet land on or across "
          "the midline", 5.0, "hip_drop"),
    Fault("lateral_trunk_lean", "Lateral trunk lean", "lateral_trunk_lean_deg", "high",
          "hip_control", "lateral hip and lower back",
          "the trunk leans toward the stance side (a way to unload weak hip abductors)",
          DEG, "hip_drop"),
    Fault("heel_whip", "Heel whip", "heel_whip_deg", "high", "hip_control",
          "Achilles tendon and medial knee", "the heel flicks sideways after toe-off",
          DEG, "knee_collapse"),
    Fault("arm_crossover", "Arm crossover", "arm_crossover_pct", "high", "hip_control",
          "lower back (trunk rotation)", "the hands swing across the body's midline",
          10.0, "hip_drop"),
    # ---- hip-extension chain (side view)
    Fault("limited_hip_extension", "Missing hip extension", "hip_extension_to_deg", "low",
          "hip_extension", "hamstrings, front of the hip and lower back",
          "the thigh barely passes vertical at toe-off", DEG, "cadence"),
    Fault("forward_trunk_lean", "Forward trunk lean", "trunk_lean_deg", "high", "hip_extension",
          "lower back and hamstrings", "the trunk leans far forward from the hips",
          DEG, "cadence"),
    # ---- ankle chain (side view)
    Fault("short_contact", "Short ground contact", "contact_ms", "low", "ankle",
          "Achilles tendon, calf and plantar fascia", "the foot leaves the ground early",
          5.0, "cadence"),
    Fault("low_duty_factor", "Short stance", "duty_factor", "low", "ankle",
          "Achilles tendon and calf", "a small share of each stride is spent on the ground",
          0.01, "cadence"),
)})


#: The programme's aim when there is no primary fault.
GENERAL_GOAL = "Stay strong and keep running well: a short general strength routine."


def faults_for_metric(metric: str) -> tuple[Fault, ...]:
    """Faults read from ``metric`` (one per direction at most)."""
    return tuple(f for f in FAULTS.values() if f.metric == metric)


def chain_faults(chain: str) -> tuple[Fault, ...]:
    """The faults of ``chain``, driver first."""
    c = CHAINS[chain]
    out = [f for f in FAULTS.values() if f.chain == chain]
    out.sort(key=lambda f: f.id != c.driver)
    return tuple(out)
