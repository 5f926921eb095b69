"""Every message that refuses bad input, or reports an outcome, reads in Kyrgyz and Russian.

The view and service tests check that these messages appear (in the page's language);
this checks the catalogues really translate them, so a visitor never meets English.
"""

import pytest
from django.utils import translation

MESSAGES = [
    # Publication
    "The deadline is in the past.",
    "The deadline must be at least %(days)d days after publication, not before %(date)s.",
    "The %(field)s in %(language)s is missing.",
    "Add at least one evaluation criterion.",
    "Every criterion needs positive points and a positive weight.",
    "The maximum grant is below the minimum grant.",
    "The maximum grant is above the total budget.",
    "The own contribution must be between 0 and 100 percent.",
    "Choose at least one region the competition covers.",
    "Only a draft can be published.",
    "The competition was not published",
    "Correct these points, then publish again:",
    # Terms
    "The longest project cannot be shorter than the shortest.",
    "This term is frozen since publication and cannot be changed. "
    "A deadline can only be extended through an amendment.",
    "This term is frozen since publication and cannot be changed.",
    "This competition can no longer be edited.",
    "Please correct the errors below. Nothing was saved.",
    "The last year cannot be before the first.",
    # Amendments
    "A published deadline can only be extended, not shortened.",
    "Explain the extension in a public note.",
    "Only the deadline of a competition open for applications can change.",
    "Give the public reason for the cancellation.",
    "A competition that is %(status)s cannot become %(to)s.",
    "The deadline of competition %(reference)s was extended",
    "Competition %(reference)s was cancelled",
    # Documents
    "This file type is not accepted. Upload one of: %(types)s.",
    "The file is too large (%(size)s). The limit is %(limit)s.",
    "Documents of a published competition cannot be removed.",
    # Clarifications
    "Questions are taken only until the deadline.",
    "Write your question.",
    "Write the answer.",
    "Your question was sent. The answer will be published on this page.",
    # Commission and following
    "This person is already on the commission.",
    "The commission of a closed or cancelled competition cannot change.",
    "You follow this competition and will be e-mailed about its changes.",
    "You no longer follow this competition.",
    # Catalogue
    "No competition matches these filters. Clear the filters to see every competition.",
    "evaluation",
    "accepting applications",
    # Outcomes and page texts the tests look for
    "The competition is published. Applications are open.",
    "The competition was cancelled.",
    "This competition was cancelled.",
    "deadline extended",
    "The competition is a draft; its status has not changed yet.",
    "the portal",
    "Officer actions",
    "Ask the customer a question",
    "Follow: e-mail me about changes",
    "Stop following",
    "The member was removed from the commission.",
    "You sit on no competition commission.",
    "chair",
    "invited",
    "without a vote",
    "Your state bodies have no competitions yet. Start with a new competition; "
    "it stays a draft until you publish it.",
    # Django's own field messages, which the forms show for the simple cases
    "This field is required.",
    "Enter a number.",
    "Enter a valid email address.",
    "Ensure this value is less than or equal to %(limit_value)s.",
    "Ensure this value is greater than or equal to %(limit_value)s.",
]


@pytest.mark.parametrize("msgid", MESSAGES)
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_message_is_translated(language, msgid):
    with translation.override(language):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"{language}: {msgid!r} is not translated"
    assert translated.strip()
