"""Forms of the codebook page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from coding.kinds import ACTOR_TYPES, COMPANY_ROLES, MEDIA, OWNERSHIPS, TOUCHPOINT_TYPES, VALENCES, CodeKind

NONE = ("", "—")


def options(pairs: object) -> list[SelectChoice]:
    """Choices as SelectChoice objects (tuples are deprecated in WTForms)."""
    return [SelectChoice(str(value), str(label)) for value, label in pairs]  # type: ignore[attr-defined]


def _choices(values: object) -> list[SelectChoice]:
    if isinstance(values, dict):
        return options([NONE, *values.items()])
    return options([NONE, *((v, str(v).replace("_", "-")) for v in values)])  # type: ignore[attr-defined]


class CodeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options((k.value, k.label) for k in CodeKind), default=CodeKind.THEME.value)
    parent_id = SelectField("Inside", choices=[], validate_choice=False)
    is_folder = BooleanField("A folder (groups codes, cannot be coded itself)")
    colour = StringField("Colour", default="#7f8c8d", validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message="Use #3366cc.")])
    description = TextAreaField("Definition", validators=[Optional(), Length(max=5000)])
    when_to_use = TextAreaField("When to use", validators=[Optional(), Length(max=5000)])
    when_not = TextAreaField("When not to use", validators=[Optional(), Length(max=5000)])
    examples = TextAreaField("Examples", validators=[Optional(), Length(max=5000)])
    aliases = TextAreaField("Aliases", validators=[Optional(), Length(max=5000)],
                            description="Words and phrases that signal this code, one per line, in any language.")
    ownership = SelectField("Ownership (actors, touchpoints)", choices=_choices(OWNERSHIPS), validate_choice=False)
    actor_type = SelectField("Actor type (actors)", choices=_choices(ACTOR_TYPES), validate_choice=False)
    medium = SelectField("Digital or physical (touchpoints, channels)", choices=_choices(MEDIA), validate_choice=False)
    touchpoint_type = SelectField("Touchpoint type", choices=_choices(TOUCHPOINT_TYPES), validate_choice=False)
    company_role = SelectField("The company's role (touchpoints)", choices=_choices(COMPANY_ROLES),
                               validate_choice=False)
    phase_id = SelectField("Phase (phase codes)", choices=[], validate_choice=False)
    valence = SelectField("Valence (emotions)", choices=options([NONE, *((v, f"{v:+d}") for v in VALENCES)]),
                          validate_choice=False)
    goal_id = SelectField("Goal (sub-goals)", choices=[], validate_choice=False)
    version = HiddenField()

    def kind_fields(self) -> dict[str, object]:
        fields: dict[str, object] = {}
        for name in ("ownership", "actor_type", "medium", "touchpoint_type", "company_role"):
            fields[name] = getattr(self, name).data or None
        fields["phase_id"] = int(self.phase_id.data) if self.phase_id.data else None
        fields["goal_id"] = int(self.goal_id.data) if self.goal_id.data else None
        fields["valence"] = int(self.valence.data) if self.valence.data not in (None, "") else None
        return fields


class MoveForm(FlaskForm):
    parent_id = SelectField("Move into", choices=[], validate_choice=False)


class MergeForm(FlaskForm):
    target_id = SelectField("Merge into", choices=[], validate_choice=False,
                            description="Every coding of this code moves to the chosen code; this code disappears.")


class SplitForm(FlaskForm):
    new_name = StringField("Name of the new code", validators=[DataRequired(), Length(max=200)],
                           description="A sibling of this code with the same kind and fields; "
                                       "the ticked codings move to it.")


class DeleteForm(FlaskForm):
    confirm = BooleanField("Yes, delete it", validators=[DataRequired(message="Tick the box to confirm.")])
