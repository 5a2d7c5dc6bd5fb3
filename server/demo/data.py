"""The demo school's people and words: staff, focuses, classes, and the notes teachers write."""

from __future__ import annotations

STAFF = [
    # (display name, role, team)
    ("Priya Shah", "admin", None),
    ("Tom Reilly", "lead", "Maths"),
    ("Aisha Bello", "lead", "English"),
    ("Ana Silva", "teacher", "Maths"),
    ("Ben Okafor", "teacher", "Maths"),
    ("Chloe Martin", "teacher", "Maths"),
    ("Daniel Kim", "teacher", "English"),
    ("Ella Hughes", "teacher", "English"),
    ("Farid Haddad", "teacher", "Science"),
    ("Grace Liu", "teacher", "Science"),
    ("Hamza Ali", "teacher", "Science"),
    ("Isla Murray", "teacher", "English"),
]

FOCUSES = [
    (
        "Questioning that makes every pupil think",
        "Questions that every pupil answers in their head, with time to think"
        " and follow-up that probes.",
        [
            "Wait time of three seconds or more after a question",
            "No-hands-up questioning reaches most pupils",
            "Follow-up probes: 'How do you know?', 'Can you add to that?'",
        ],
    ),
    (
        "Feedback pupils act on",
        "Feedback that moves learning forward in the lesson, not only in books.",
        [
            "Success criteria are visible and referred to",
            "Pupils act on feedback during the lesson",
            "Live marking or verbal feedback at the point of need",
        ],
    ),
    (
        "Structured talk (oracy)",
        "Talk that is taught: partners, sentence stems and building on each other's ideas.",
        [
            "Talk partners use sentence stems",
            "Pupils build on each other's ideas",
            "The teacher models subject vocabulary",
        ],
    ),
]

SUBJECTS = {"Maths": ["Maths"], "English": ["English", "Reading"], "Science": ["Science"]}
CLASSES = ["7R", "7S", "8R", "8T", "9S", "9R", "10X", "10Y"]

EVIDENCE = [
    "Teacher asked 'What do you notice?' and waited before taking answers.",
    "Starter on mini whiteboards: every pupil showed an answer within a minute.",
    "Teacher circulated and stopped the class to share a common misconception.",
    "Success criteria on the board were referred to twice during the task.",
    "Cold-called three pupils in a row, each built on the previous answer.",
    "Modelled the first example aloud, thinking through each step.",
    "Pupils moved into talk partners quickly; the routine is well established.",
    "Exit ticket with two questions checked understanding of today's idea.",
    "Key vocabulary ('gradient', 'intercept') displayed and used by the teacher.",
    "Teacher used 'Can you say more?' to extend a short answer.",
]
PUPILS = [
    "Most pupils started the task within a minute, without asking for help.",
    "Pupils at the back table compared methods and corrected each other.",
    "Several pupils used the sentence stem 'I agree with … because …'.",
    "A pupil explained her method to the class using the visualiser.",
    "Two pupils were unsure of the first step and waited for help.",
    "Pupils self-assessed against the criteria and added a next step.",
    "Pupils rehearsed their answer with a partner before sharing.",
]
STRENGTHS = [
    "Calm, purposeful start: routines are clearly understood.",
    "Questions were pitched so that everyone could have a go.",
    "Feedback was immediate and pupils acted on it straight away.",
    "Excellent modelling of subject vocabulary.",
    "Warm relationships: pupils were happy to share wrong answers.",
]
WONDERINGS = [
    "What would happen if the wait time after questions were a little longer?",
    "Could the hinge question come earlier, to decide who needs the extension task?",
    "How might pupils use the success criteria to check each other's work?",
    "Would sentence stems help the quieter pupils join the discussion?",
    "What if pupils wrote a first answer before talking to a partner?",
]
NEXT_STEPS = [
    "Try a hinge question before the independent task and adapt from the answers.",
    "Build in three seconds of wait time after every key question.",
    "Add sentence stems to the talk-partner routine for a fortnight.",
    "Plan two probing follow-up questions for each key question.",
    "Use success criteria for peer feedback in the last ten minutes.",
    "Visit a colleague's lesson to see mini-whiteboard routines.",
]
REFLECTIONS = [
    "Really useful to hear what the pupils were saying at the back table; I did not notice that.",
    "I want to keep working on wait time: I can see I answer my own questions.",
    "The talk routine is working; next I want the quieter pupils to lead the feedback.",
    "Good to see the success criteria being used. I will try peer feedback next week.",
]
PREDICTIONS = [
    "Pupil A will start with the concrete resources before drawing a diagram.",
    "Pupil B will spot the pattern but will struggle to explain it.",
    "Pupil C will need the sentence stem to join the discussion.",
]
CASE_PUPIL_DID = [
    "Pupil A went straight to a diagram and skipped the resources.",
    "Pupil B explained the pattern clearly to a partner.",
    "Pupil C used the stem once and then spoke without it.",
]

FOCUS_QUESTIONS = [
    "How can I get every pupil thinking during questioning?",
    "Do my pupils use feedback to improve their work in the lesson?",
    "How well do pupils build on each other's ideas in discussion?",
]
LEARNING_INTENTION = "To explain and compare methods using the correct vocabulary."
# The term's observations, by kind, in the order they are spread over the term.
PLAN = (
    ["peer_observation"] * 10
    + ["team_teaching"] * 5
    + ["lesson_study"] * 3
    + ["learning_walk"] * 8
    + ["coaching"] * 4
)
# Who takes part as what: (the first teacher's role, the second's).
ROLES_BY_KIND = {
    "peer_observation": ("observer", "observee"),
    "team_teaching": ("co_teacher", "co_teacher"),
    "lesson_study": ("observer", "observee"),
    "coaching": ("facilitator", "observee"),
}
LEADS = ["Tom Reilly", "Aisha Bello"]
