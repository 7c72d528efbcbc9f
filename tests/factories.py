from typing import NamedTuple

import factory

from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan
from accounts.services import workspace_set_plan
from apikeys.models import Access, ApiKey
from apikeys.services import api_key_create
from inventory.models import Location, Product, Variant
from inventory.services import location_create, product_create, variant_create
from portal.services import workspace_setup

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")
    plan = Plan.FREE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.OWNER


# --- Made as the product makes them: through the services ---------------------------------------
# ``_create`` calls the service instead of saving the model, so what a test arranges has what the
# product would give it (a workspace's default location, a variant's stock level, a key's hash).

HIGH_LIMIT = 100_000  # API limits no test reaches


class SetUpWorkspaceFactory(factory.django.DjangoModelFactory):
    """A workspace as sign-up makes it (``portal.services.workspace_setup``: with its default
    location), on ``plan`` with daily and burst limits of ``limits`` (``None``: the plan's own)."""

    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Set-up workspace {n}")
    owner = None
    plan = Plan.PRO
    limits = HIGH_LIMIT

    @classmethod
    def _create(cls, model_class, *, name, owner, plan, limits):
        workspace = workspace_setup(name=name, owner=owner, plan=plan)
        return workspace_set_plan(
            workspace=workspace, plan=plan, daily_limit=limits, burst_limit=limits
        )


def make_workspace(
    name: str = "Acme Supplies", plan: str = Plan.PRO, *, limits: int | None = HIGH_LIMIT
) -> Workspace:
    """:class:`SetUpWorkspaceFactory` called the short way: ``make_workspace("Other Co")``."""
    return SetUpWorkspaceFactory(name=name, plan=plan, limits=limits)


class Key(NamedTuple):
    """An API key as a test holds it: the record and the full key, shown only once.

    A tuple, so ``record, raw = KeyFactory()`` reads like ``api_key_create``'s own result.
    """

    record: ApiKey
    raw: str

    @property
    def authorization(self) -> str:
        return f"Bearer {self.raw}"


class KeyFactory(factory.Factory):
    """An API key made by ``apikeys.services.api_key_create``; gives a :class:`Key`."""

    class Meta:
        model = Key

    workspace = factory.SubFactory(SetUpWorkspaceFactory)
    name = "ERP integration"
    access = Access.READ_WRITE
    created_by = None

    @classmethod
    def _create(cls, model_class, **fields):
        return model_class(*api_key_create(**fields))


def make_key(
    workspace: Workspace,
    *,
    access: str = Access.READ_WRITE,
    name: str = "ERP integration",
    created_by: User | None = None,
) -> Key:
    """:class:`KeyFactory` called the short way: ``make_key(workspace, name="Reporting")``."""
    return KeyFactory(workspace=workspace, access=access, name=name, created_by=created_by)


class LocationFactory(factory.django.DjangoModelFactory):
    """A location made by ``inventory.services.location_create``."""

    class Meta:
        model = Location

    workspace = factory.SubFactory(SetUpWorkspaceFactory)
    name = factory.Sequence(lambda n: f"Store {n}")

    @classmethod
    def _create(cls, model_class, **fields):
        return location_create(**fields)


class ProductFactory(factory.django.DjangoModelFactory):
    """A product made by ``inventory.services.product_create``: each variant (by default one,
    with a fresh SKU) stocked at 0 in the default location."""

    class Meta:
        model = Product

    workspace = factory.SubFactory(SetUpWorkspaceFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    variants = factory.Sequence(lambda n: [{"sku": f"SKU-{n:05d}"}])

    @classmethod
    def _create(cls, model_class, **fields):
        return product_create(**fields)


class VariantFactory(factory.django.DjangoModelFactory):
    """A variant added by ``inventory.services.variant_create``, stocked at 0 in the default
    location; other fields (``reorder_point=5``, ``barcode=...``) go to the service as given."""

    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"VAR-{n:05d}")

    @classmethod
    def _create(cls, model_class, *, product, **fields):
        return variant_create(product=product, **fields)
