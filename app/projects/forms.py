from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from research.phase_models import PHASE_MODELS
from research.projects import LANGUAGES, Role


class ProjectForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    language = SelectField("Main language of the material", choices=dict(LANGUAGES), default="sv")
    company_name = StringField("The studied company", validators=[Length(max=200)],
                               description="Its own actors and touchpoints are told apart from the wider network.")
    company_aliases = TextAreaField("Other names of the company", validators=[Length(max=2000)],
                                    description="One per line, or separated by commas: brand names, app names, "
                                                "abbreviations.")


class NewProjectForm(ProjectForm):
    phase_model = SelectField("Phase model", choices={key: label for key, (label, _) in PHASE_MODELS.items()},
                              default="six")
    codebook = RadioField("Codebook", default="template", choices={
        "template": "Start from the customer-path template", "empty": "Start empty"})


class PhasesForm(FlaskForm):
    phases = TextAreaField("Phases, in order", validators=[DataRequired(), Length(max=10000)],
                           description="One phase per line: the name, optionally followed by ' | ' and a description.")


class MemberForm(FlaskForm):
    email = EmailField("E-mail of an existing account", validators=[DataRequired(), Length(max=320)])
    role = SelectField("Role", choices={r.value: r.value.capitalize() for r in Role}, default=Role.CODER.value)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices={r.value: r.value.capitalize() for r in Role})


class DeleteProjectForm(FlaskForm):
    confirm_name = StringField("Type the project's name to confirm", validators=[Length(max=200)])
