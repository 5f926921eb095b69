from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import StateBody
from accounts.permissions import is_officer
from socialorder.feedback import show_refusal
from socialorder.search import text_search
from socialorder.uploads import CONTENT_TYPES, detect_type, open_private, serve_private, sha256_of

from . import permissions, services
from .forms import (
    AnswerForm,
    CancelForm,
    CatalogueFilterForm,
    ChecklistFormSet,
    ClarificationForm,
    CommissionMemberForm,
    CompetitionForm,
    CriterionFormSet,
    DocumentForm,
    ExtendDeadlineForm,
    ProgrammeForm,
    default_deadline,
)
from .models import (
    Clarification,
    CommissionMember,
    Competition,
    Follow,
    Programme,
)

PAGE_SIZE = 20


def _officer_bodies(user):
    return StateBody.objects.filter(memberships__user=user).distinct()


def _require_officer(request):
    if not is_officer(request.user):
        raise PermissionDenied


def _get_competition(request, reference) -> Competition:
    """A competition the user may see: published ones for all, drafts for the body's officers."""
    competition = get_object_or_404(
        Competition.objects.select_related("state_body", "programme", "service_area"),
        reference=reference,
    )
    if not permissions.can_view_competition(request.user, competition):
        raise Http404
    return competition


def _get_competition_for_officer(request, reference) -> Competition:
    """As above, and 403 for anyone who may see it but is no officer of its body."""
    competition = _get_competition(request, reference)
    if not permissions.can_edit_competition(request.user, competition):
        raise PermissionDenied
    return competition


# Public pages


@require_GET
def competition_list(request):
    form = CatalogueFilterForm(request.GET or None)
    competitions = Competition.objects.public().with_listing()
    sort = "deadline"
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        status = data["status"]
        if status == "open":
            competitions = competitions.filter(
                status=Competition.Status.PUBLISHED, deadline__gt=now
            )
        elif status == "evaluation":
            competitions = competitions.filter(
                Q(status=Competition.Status.EVALUATION)
                | Q(status=Competition.Status.PUBLISHED, deadline__lte=now)
            )
        elif status:
            competitions = competitions.filter(status=status)
        if data["state_body"]:
            competitions = competitions.filter(state_body=data["state_body"])
        if data["region"]:
            competitions = competitions.filter(regions=data["region"])
        if data["area"]:
            competitions = competitions.filter(service_area=data["area"])
        if data["grant_min"] is not None:
            competitions = competitions.filter(max_grant__gte=data["grant_min"])
        if data["grant_max"] is not None:
            competitions = competitions.filter(min_grant__lte=data["grant_max"])
        if data["q"]:
            competitions = text_search(
                competitions,
                data["q"],
                russian=("title_ru", "announcement_ru"),
                other=("title_ky", "announcement_ky", "title_en", "announcement_en", "reference"),
            )
        sort = data["sort"] or sort
    order = ["deadline", "pk"] if sort == "deadline" else ["-published_at", "-pk"]
    competitions = competitions.order_by(*order).distinct()
    page = Paginator(competitions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "competitions/competition_list.html",
        {"filter_form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def competition_detail(request, reference):
    competition = _get_competition(request, reference)
    return _render_detail(request, competition, ClarificationForm())


def _render_detail(request, competition, question_form, status=200):
    user = request.user
    can_edit = permissions.can_edit_competition(user, competition)
    clarifications = competition.clarifications.all()
    if not can_edit:
        clarifications = clarifications.exclude(answer="")
    return TemplateResponse(
        request,
        "competitions/competition_detail.html",
        {
            "competition": competition,
            "criteria": competition.criteria.all(),
            "checklist": competition.checklist.all(),
            "documents": competition.documents.all(),
            "regions": competition.regions.all(),
            "target_groups": competition.target_groups.all(),
            "amendments": competition.amendments.all(),
            "clarifications": clarifications,
            "can_edit": can_edit,
            "can_ask": permissions.can_ask_clarification(user, competition),
            "can_follow": permissions.can_follow_competition(user, competition),
            "follows": user.is_authenticated
            and Follow.objects.filter(competition=competition, user=user).exists(),
            "question_form": question_form,
        },
        status=status,
    )


@require_GET
def document_download(request, reference, pk):
    competition = _get_competition(request, reference)
    document = get_object_or_404(competition.documents, pk=pk)
    return serve_private(
        document.file,
        file_type=document.file_type,
        filename=f"{competition.reference}-{document.pk}.{document.file_type}",
    )


@login_required
@require_POST
def follow(request, reference):
    competition = _get_competition(request, reference)
    if request.POST.get("follow") == "0":
        services.unfollow(competition=competition, user=request.user)
        messages.success(request, _("You no longer follow this competition."))
    else:
        services.follow(competition=competition, user=request.user)
        messages.success(
            request, _("You follow this competition and will be e-mailed about its changes.")
        )
    return redirect("competitions:detail", reference=competition.reference)


@login_required
@require_POST
def ask(request, reference):
    competition = _get_competition(request, reference)
    form = ClarificationForm(request.POST)
    if form.is_valid():
        try:
            services.ask_clarification(
                competition=competition, user=request.user, question=form.cleaned_data["question"]
            )
        except services.ServiceError as error:
            form.add_error("question", error)
        else:
            messages.success(
                request,
                _("Your question was sent. The answer will be published on this page."),
            )
            return redirect("competitions:detail", reference=competition.reference)
    for error in form.errors.get("question", []):
        messages.error(request, error)
    return _render_detail(request, competition, form, status=400)


class CompetitionFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("New grant competitions")
    subtitle = gettext_lazy("Competitions published on the state social order portal")

    def link(self):
        return reverse("competitions:list")

    def items(self):
        return (
            Competition.objects.public().select_related("state_body").order_by("-published_at")[:30]
        )

    def item_title(self, item):
        return f"{item.reference}: {item.title}"

    def item_description(self, item):
        # Atom says the summary is HTML: the text goes escaped, its line breaks kept.
        return linebreaks(item.announcement, autoescape=True)

    def item_link(self, item):
        return reverse("competitions:detail", args=[item.reference])

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.state_body.name


feed = CompetitionFeed()


@login_required
@require_GET
def my_commissions(request):
    services.claim_commission_seats(user=request.user)
    seats = CommissionMember.objects.filter(user=request.user).select_related(
        "competition__state_body"
    )
    return TemplateResponse(request, "competitions/my_commissions.html", {"seats": seats})


# Officer pages


@login_required
@require_GET
def officer_competition_list(request):
    _require_officer(request)
    competitions = (
        Competition.objects.filter(state_body__in=_officer_bodies(request.user))
        .select_related("state_body")
        .order_by("-created_at")
    )
    page = Paginator(competitions, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "competitions/officer_competition_list.html", {"page": page})


@login_required
@require_GET
def programme_list(request):
    _require_officer(request)
    programmes = Programme.objects.filter(state_body__in=_officer_bodies(request.user))
    programmes = programmes.select_related("state_body")
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "competitions/programme_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request):
    _require_officer(request)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        state_bodies=_officer_bodies(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            programme = form.save(commit=False)
            programme.created_by = request.user
            programme.save()
            form.save_m2m()
        messages.success(request, _("The programme was saved."))
        return redirect("competitions:programme-list")
    return TemplateResponse(request, "competitions/programme_form.html", {"form": form})


def _get_programme_for_officer(request, pk) -> Programme:
    programme = get_object_or_404(Programme, pk=pk)
    if not permissions.can_edit_programme(request.user, programme):
        raise Http404
    return programme


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = _get_programme_for_officer(request, pk)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=programme,
        state_bodies=_officer_bodies(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The programme was saved."))
        return redirect("competitions:programme-list")
    return TemplateResponse(
        request, "competitions/programme_form.html", {"form": form, "programme": programme}
    )


@login_required
@require_GET
def programme_document(request, pk):
    programme = _get_programme_for_officer(request, pk)
    if not programme.approving_document:
        raise Http404
    document = open_private(programme.approving_document)
    file_type = detect_type(document) or "bin"
    return FileResponse(
        document,
        as_attachment=True,
        filename=f"programme-{programme.pk}.{file_type}",
        content_type=CONTENT_TYPES.get(file_type, "application/octet-stream"),
    )


def _terms_formsets(request, competition, frozen=False):
    data = request.POST if request.method == "POST" else None
    return (
        CriterionFormSet(data, instance=competition, prefix="criteria", frozen=frozen),
        ChecklistFormSet(data, instance=competition, prefix="checklist", frozen=frozen),
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_create(request):
    _require_officer(request)
    bodies = _officer_bodies(request.user)
    form = CompetitionForm(
        request.POST if request.method == "POST" else None,
        state_bodies=bodies,
        initial={"deadline": default_deadline(), "state_body": bodies.first()},
    )
    criteria, checklist = _terms_formsets(request, Competition())
    if request.method == "POST" and all(
        [form.is_valid(), criteria.is_valid(), checklist.is_valid()]
    ):
        with transaction.atomic():
            competition = services.create_competition(user=request.user, form=form)
            for formset in (criteria, checklist):
                formset.instance = competition
                formset.save()
        messages.success(
            request,
            _("The draft %(reference)s was saved. Add documents, then publish it.")
            % {"reference": competition.reference},
        )
        return redirect("competitions:detail", reference=competition.reference)
    return TemplateResponse(
        request,
        "competitions/competition_form.html",
        {"form": form, "criteria": criteria, "checklist": checklist},
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_edit(request, reference):
    competition = _get_competition_for_officer(request, reference)
    if competition.status not in {Competition.Status.DRAFT, Competition.Status.PUBLISHED}:
        messages.error(request, _("This competition can no longer be edited."))
        return redirect("competitions:detail", reference=competition.reference)
    form = CompetitionForm(
        request.POST if request.method == "POST" else None,
        instance=competition,
        state_bodies=_officer_bodies(request.user),
    )
    criteria, checklist = _terms_formsets(request, competition, frozen=competition.is_frozen)
    if request.method == "POST" and all(
        [form.is_valid(), criteria.is_valid(), checklist.is_valid()]
    ):
        with transaction.atomic():
            # Another officer may have published, extended or cancelled meanwhile:
            # lock the row, and save only what the form edits.
            current = Competition.objects.select_for_update().get(pk=competition.pk)
            if (current.status, current.deadline) != (form.initial_status, form.initial_deadline):
                messages.error(
                    request,
                    _(
                        "The competition changed while you were editing it. "
                        "Check it and edit again."
                    ),
                )
                return redirect("competitions:detail", reference=competition.reference)
            form.save(commit=False).save(update_fields=[*form.editable_columns(), "updated_at"])
            form.save_m2m()
            if not competition.is_frozen:
                criteria.save()
                checklist.save()
        messages.success(request, _("The competition was saved."))
        return redirect("competitions:detail", reference=competition.reference)
    return TemplateResponse(
        request,
        "competitions/competition_form.html",
        {"form": form, "criteria": criteria, "checklist": checklist, "competition": competition},
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_documents(request, reference):
    competition = _get_competition_for_officer(request, reference)
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        if competition.status not in {Competition.Status.DRAFT, Competition.Status.PUBLISHED}:
            raise PermissionDenied
        document = form.save(commit=False)
        document.competition = competition
        document.file_type = form.file_type
        document.size = document.file.size
        document.sha256 = sha256_of(document.file)
        document.uploaded_by = request.user
        document.save()
        messages.success(request, _("The document was uploaded."))
        return redirect("competitions:documents", reference=competition.reference)
    return TemplateResponse(
        request,
        "competitions/competition_documents.html",
        {"competition": competition, "form": form, "documents": competition.documents.all()},
    )


@login_required
@require_POST
def document_delete(request, reference, pk):
    competition = _get_competition_for_officer(request, reference)
    document = get_object_or_404(competition.documents, pk=pk)
    if competition.is_frozen:
        messages.error(request, _("Documents of a published competition cannot be removed."))
    else:
        document.file.delete(save=False)
        document.delete()
        messages.success(request, _("The document was removed."))
    return redirect("competitions:documents", reference=competition.reference)


@login_required
@require_POST
def competition_publish(request, reference):
    competition = _get_competition_for_officer(request, reference)
    try:
        services.publish_competition(competition=competition, user=request.user)
    except services.ServiceError as error:
        show_refusal(request, error)
        return TemplateResponse(
            request,
            "competitions/competition_publish_failed.html",
            {"competition": competition, "problems": error.messages},
            status=400,
        )
    messages.success(request, _("The competition is published. Applications are open."))
    return redirect("competitions:detail", reference=competition.reference)


@login_required
@require_http_methods(["GET", "POST"])
def competition_extend(request, reference):
    competition = _get_competition_for_officer(request, reference)
    form = ExtendDeadlineForm(
        request.POST if request.method == "POST" else None, competition=competition
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_deadline(
                competition=competition,
                user=request.user,
                new_deadline=form.cleaned_data["new_deadline"],
                note=form.cleaned_data["note"],
            )
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The deadline was extended and the amendment published."))
            return redirect("competitions:detail", reference=competition.reference)
    return TemplateResponse(
        request, "competitions/competition_extend.html", {"competition": competition, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def competition_cancel(request, reference):
    competition = _get_competition_for_officer(request, reference)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_competition(
                competition=competition, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The competition was cancelled."))
            return redirect("competitions:detail", reference=competition.reference)
    return TemplateResponse(
        request, "competitions/competition_cancel.html", {"competition": competition, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def commission(request, reference):
    competition = _get_competition_for_officer(request, reference)
    form = CommissionMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.appoint_commission_member(
                competition=competition, user=request.user, **form.cleaned_data
            )
        except services.ServiceError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("%(name)s was appointed to the commission.") % {"name": member.full_name}
            )
            return redirect("competitions:commission", reference=competition.reference)
    return TemplateResponse(
        request,
        "competitions/commission.html",
        {
            "competition": competition,
            "form": form,
            "members": competition.commission.select_related("user"),
        },
    )


@login_required
@require_POST
def commission_remove(request, reference, pk):
    competition = _get_competition_for_officer(request, reference)
    member = get_object_or_404(competition.commission, pk=pk)
    try:
        services.remove_commission_member(member=member, user=request.user)
    except services.ServiceError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The member was removed from the commission."))
    return redirect("competitions:commission", reference=competition.reference)


@login_required
@require_GET
def clarification_list(request, reference):
    competition = _get_competition_for_officer(request, reference)
    return TemplateResponse(
        request,
        "competitions/clarification_list.html",
        {
            "competition": competition,
            "clarifications": competition.clarifications.select_related("organization"),
        },
    )


@login_required
@require_POST
def clarification_answer(request, reference, pk):
    competition = _get_competition_for_officer(request, reference)
    clarification = get_object_or_404(Clarification, pk=pk, competition=competition)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.answer_clarification(
            clarification=clarification, user=request.user, answer=form.cleaned_data["answer"]
        )
        messages.success(request, _("The answer was published."))
        return redirect("competitions:clarifications", reference=competition.reference)
    messages.error(request, _("Write the answer."))
    return TemplateResponse(
        request,
        "competitions/clarification_list.html",
        {
            "competition": competition,
            "clarifications": competition.clarifications.select_related("organization"),
        },
        status=400,
    )


@login_required
@require_GET
def competition_history(request, reference):
    competition = _get_competition_for_officer(request, reference)
    return TemplateResponse(
        request,
        "competitions/competition_history.html",
        {
            "competition": competition,
            "changes": competition.status_changes.select_related("changed_by"),
        },
    )
