"""Forms of a project's co-production log and its comments (issue 15 item 5). The checks that matter
(who may be credited, dates, NHS numbers) are the service's, so the pages and any other caller agree."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.improvement.coproduction_services import COMMENT_LIMIT
from rrp.improvement.models import CoproductionHow, Recognition, TeamMember
from rrp.improvement.project_forms import READ_BY_COMMISSIONERS, _date


class CoproductionForm(ValidatedForm):
    happened_on = _date("When it happened", message="Enter the date it happened")
    people = forms.MultipleChoiceField(
        label="Who took part",
        help_text="The experts by experience and carers on the team, credited by the name they chose",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who took part: the experts by experience or carers on the team"},
    )
    how = forms.ChoiceField(
        label="How they took part",
        choices=CoproductionHow.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they took part"},
    )
    decision = forms.CharField(
        label="The decision or piece of work it was part of",
        help_text=READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the decision or piece of work it was part of"},
    )
    what_changed = forms.CharField(
        label="What changed because of it",
        help_text="In the project, a change tested, the plan or the materials; or that nothing has yet",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what changed because of it (or that nothing has yet)"},
    )
    recognition = forms.ChoiceField(
        label="How their contribution was recognised",
        choices=Recognition.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how their contribution was recognised"},
    )

    def __init__(self, *args, candidates: list[TeamMember], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(m.pk): m for m in candidates}
        self.fields["people"].choices = [
            (str(m.pk), m.display_name + (" (has left the team)" if m.left_on else "")) for m in candidates
        ]

    def chosen_people(self) -> list[TeamMember]:
        return [self.candidates[pk] for pk in self.cleaned_data["people"]]


class CommentForm(ValidatedForm):
    text = forms.CharField(
        label="Your comment",
        max_length=COMMENT_LIMIT,
        help_text="Read by everyone who reads the project, commissioners too: do not write patients' names "
        "or NHS numbers here",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Comment must be {COMMENT_LIMIT} characters or fewer",
        },
    )
