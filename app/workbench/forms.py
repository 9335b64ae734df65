"""Forms of the codebook page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, ColorField, Field, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from coding.codebook import KIND_FIELDS, kinds_using, parse_colour
from coding.kinds import ACTOR_TYPES, COMPANY_ROLES, MEDIA, OWNERSHIPS, TOUCHPOINT_TYPES, VALENCES, CodeKind
from research.errors import InvalidInput

NONE = ("", "—")


def options(pairs: object) -> list[SelectChoice]:
    """Choices as SelectChoice objects (tuples are deprecated in WTForms)."""
    return [SelectChoice(str(value), str(label)) for value, label in pairs]  # type: ignore[attr-defined]


def _choices(values: object) -> list[SelectChoice]:
    if isinstance(values, dict):
        return options([NONE, *values.items()])
    return options([NONE, *((v, str(v).replace("_", "-")) for v in values)])  # type: ignore[attr-defined]


def colour_like_hex(_form: Form, field: Field) -> None:
    """The picker sends #rrggbb; where a browser shows a text box instead, #36c, #3366CC and
    3366cc are accepted too and stored as #3366cc. Left empty, the server chooses."""
    if not (field.data or "").strip():
        field.data = None  # a new code then gets the next palette colour; an edited one keeps its own
        return
    try:
        field.data = parse_colour(field.data)
    except InvalidInput as exc:
        raise ValidationError(str(exc)) from exc


class CodeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options((k.value, k.label) for k in CodeKind), default=CodeKind.THEME.value)
    parent_id = SelectField("Inside", choices=[], validate_choice=False)
    is_folder = BooleanField("A folder (groups codes, cannot be coded itself)")
    colour = ColorField("Colour", validators=[colour_like_hex])
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

    def kind_field_names(self) -> list[tuple[str, str]]:
        """(field name, the kinds that use it, space-separated) for the form's live filter."""
        return [(name, " ".join(kind.value for kind in kinds_using(name))) for name in KIND_FIELDS]

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
    step = HiddenField()  # "confirm" once the researcher has seen what the merge will do
    codings = HiddenField()  # the number of codings the confirmation stated
    confirm = BooleanField("Yes, merge")


class SplitForm(FlaskForm):
    new_name = StringField("Name of the new code", validators=[DataRequired(), Length(max=200)],
                           description="A sibling of this code with the same kind and fields; "
                                       "the ticked codings move to it.")


class CodeMemoForm(FlaskForm):
    text = TextAreaField("New memo", validators=[DataRequired(message="Write something first."), Length(max=20000)])


class DeleteForm(FlaskForm):
    confirm = BooleanField("Yes, delete it", validators=[DataRequired(message="Tick the box to confirm.")])
