"""The signed-in person's own pages: profile and shop set-up. Sign-in pages are allauth's (one tweak below)."""

from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services, verification
from accounts.forms import ProfileForm, ShopForm, VacationForm
from accounts.languages import remember_language
from accounts.models import Shop, User
from accounts.session import remember_has_shop
from core.redirects import local_path


class LoginView(AllauthLoginView):
    """allauth's sign-in page, answering 429 Too Many Requests once the failed-login limit is reached.

    allauth refuses the attempt with a form error but a 200; clients, proxies and monitoring should see the
    refusal for what it is. The page and its message stay as they were. (Any other refusal answers 400, as on
    allauth's other forms: accounts.middleware.)
    """

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(error.code == "too_many_login_attempts" for error in form.non_field_errors().as_data()):
            response.status_code = 429
        return response


def set_language(request):
    """Django's language switch (the footer's form), which also keeps the choice as a signed-in person's language:
    their emails follow it (accounts.languages)."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language"))  # a language the site offers, else nothing
    return response


def get_own_shop(user: User) -> Shop | None:
    """The shop ``user`` owns, or None. Views never take a shop id: a person only ever reaches their own."""
    return Shop.objects.filter(owner=user).first()


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.update_profile(user, **form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"first_name": user.first_name, "last_name": user.last_name})
    return render(request, "accounts/profile.html", {"form": form, "shop": get_own_shop(user)})


@login_required
@require_http_methods(["GET", "POST"])
def shop_edit(request):
    shop = get_own_shop(request.user)
    if shop is None and verification.needs_confirmed_email(request.user):
        return verification.confirmation_required_page(request, "open_shop")
    form = ShopForm(request.POST or None, instance=shop)
    if request.method == "POST" and form.is_valid():
        try:
            if shop is None:
                shop = services.open_shop(request.user, form.cleaned_data)
                remember_has_shop(request.session, request.user.pk, True)
                messages.success(
                    request,
                    _("Welcome to BookStore, %(shop)s is open! Add your first book to start selling.")
                    % {"shop": shop.name},
                )
                return redirect("sell:inventory")
            services.update_shop(shop, form.cleaned_data)
            messages.success(request, _("Your shop details were saved."))
            return redirect("accounts:shop_edit")
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "accounts/shop_form.html", {"form": form, "shop": shop})


@login_required
@require_POST
def resend_confirmation(request):
    """Send the signed-in user a new confirmation link, then go back to the page that asked for it."""
    back = local_path(request, request.POST.get("next", ""), reverse("accounts:profile"))
    if verification.has_confirmed_email(request.user):
        messages.info(request, _("Your email address is already confirmed."))
    elif not verification.send_confirmation(request, request.user):
        # allauth's cooldown between two emails: the link already sent still works.
        messages.warning(
            request,
            _(
                "We sent a link to %(email)s a moment ago: look for it in your inbox and spam folder. "
                "You can ask for another one in a few minutes."
            )
            % {"email": request.user.email},
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def vacation(request):
    """Close the shop until a return date with a message for buyers, or see when it reopens."""
    shop = get_own_shop(request.user)
    if shop is None:
        messages.info(request, _("Open your shop first."))
        return redirect("accounts:shop_edit")
    form = VacationForm(
        request.POST or None, initial={"away_until": shop.away_until, "away_message": shop.away_message}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                shop = services.close_for_vacation(
                    shop, form.cleaned_data["away_until"], form.cleaned_data["away_message"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Your shop is closed until %(date)s. Your books are out of the catalog until then.")
                    % {"date": date_format(shop.away_until, "DATE_FORMAT")},
                )
                return redirect("accounts:vacation")
    return render(request, "accounts/vacation.html", {"form": form, "shop": shop}, status=status)


@login_required
@require_POST
def vacation_end(request):
    """Reopen the shop now."""
    shop = get_own_shop(request.user)
    if shop is None:
        return redirect("accounts:shop_edit")
    services.reopen_shop(shop)
    messages.success(request, _("Your shop is open again: your books are back in the catalog."))
    return redirect("accounts:vacation")
