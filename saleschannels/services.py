"""Every write to channels and listings: the API, the Settings pages, the admin and the demo
data call these. The sync's own writes are in ``saleschannels.sync``."""

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Workspace
from core import outbound
from core.crypto import SecretUnreadable, secret_decrypt, secret_encrypt, secret_reencrypt
from inventory.models import Location, Variant
from saleschannels import tasks
from saleschannels.connectors import registry
from saleschannels.errors import AlreadyListed
from saleschannels.limits import HAS_LISTINGS_TTL, MAX_STOCK_BUFFER, NO_LISTINGS_TTL
from saleschannels.models import Channel, ChannelStatus, Listing

# --- Does a workspace list anything? (the stock hot path asks on every adjustment) -----------

# Each process keeps the answer for a second, so a batch of 100 adjustments asks the shared
# cache once, not 100 times. Only the first listing of a workspace flips it; a change made in
# that second in another process is then caught by the scheduled sync.
LOCAL_SECONDS = 1.0
_LOCAL_MAX = 10_000
_local: dict[int, tuple[bool, float]] = {}


def _has_listings_key(workspace_id: int) -> str:
    return f"saleschannels:has-listings:{workspace_id}"


def workspace_has_listings(workspace_id: int) -> bool:
    """Whether the workspace has any listing: from memory or the cache, so a workspace
    without channels costs its stock adjustments no query (one per workspace when the shared
    flag is cold)."""
    now = time.monotonic()
    known = _local.get(workspace_id)
    if known is not None and known[1] > now:
        return known[0]
    key = _has_listings_key(workspace_id)
    flag = cache.get(key)
    if flag is None:
        flag = Listing.objects.filter(workspace_id=workspace_id).exists()
        cache.set(key, flag, HAS_LISTINGS_TTL if flag else NO_LISTINGS_TTL)
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[workspace_id] = (flag, now + LOCAL_SECONDS)
    return flag


def forget_local_flags() -> None:
    """Drop this process's remembered flags (tests: ids repeat between them)."""
    _local.clear()


def _mark_has_listings(workspace_id: int) -> None:
    # Before the commit as well as after it: a flag set early only costs a query if the
    # transaction rolls back, while one set late could let a change slip past (the scheduled
    # sync would still catch it).
    key = _has_listings_key(workspace_id)

    def mark():
        cache.set(key, True, HAS_LISTINGS_TTL)
        _local.pop(workspace_id, None)

    mark()
    transaction.on_commit(mark)


# --- Channels ----------------------------------------------------------------------------------


def _clean_channel(
    workspace: Workspace, *, name: str, locations: list[Location], stock_buffer: int
) -> str:
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = ["A channel needs a name."]
    if any(location.workspace_id != workspace.pk for location in locations):
        errors["locations"] = ["Choose locations of this workspace."]
    if not isinstance(stock_buffer, int) or not 0 <= stock_buffer <= MAX_STOCK_BUFFER:
        errors["stock_buffer"] = [f"A stock buffer is a whole number from 0 to {MAX_STOCK_BUFFER}."]
    if errors:
        raise ValidationError(errors)
    return name


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": [f"There is already a channel named {name!r}."]})


def _store_fields(connector_class, *, store_url: str, api_key: str) -> dict:
    """A live store's channel fields: its URL (checked as webhook URLs are: SSRF, https), its
    key encrypted, and what connecting to it found. ``ValidationError`` keyed ``store_url`` or
    ``api_key``. Network: call it outside any transaction."""
    store_url, api_key = store_url.strip(), api_key.strip()
    errors = {}
    if not store_url:
        errors["store_url"] = [f"{connector_class.label} needs the store's URL."]
    else:
        try:
            outbound.url_check(store_url, **outbound.policy_from_settings())
        except outbound.UnsafeURL as unsafe:
            errors["store_url"] = [f"This store URL cannot be used: {unsafe.message}."]
    if not api_key:
        errors["api_key"] = [f"{connector_class.label} needs a secret API key of the store."]
    if errors:
        raise ValidationError(errors)
    store = connector_class.connect(store_url=store_url, api_key=api_key)
    return {
        "store_url": store_url,
        "credentials": secret_encrypt(api_key),
        "external_location_id": store.location_id,
    }


def channel_connect(
    *,
    workspace: Workspace,
    type: str,
    name: str,
    locations: Iterable[Location] = (),
    stock_buffer: int = 0,
    store_url: str = "",
    api_key: str = "",
) -> Channel:
    """Connect a channel of a registered type, selling the stock of ``locations`` (none: all)
    less ``stock_buffer``. A live store's ``store_url`` and secret ``api_key`` are checked
    against the store first (nothing is saved when they fail); the key is stored encrypted."""
    locations = list(locations)
    if type not in registry.types():
        raise ValidationError({"type": [f"Unknown channel type {type!r}."]})
    name = _clean_channel(workspace, name=name, locations=locations, stock_buffer=stock_buffer)
    if Channel.objects.filter(workspace=workspace, name=name).exists():
        raise _name_taken(name)
    live = {}
    connector_class = registry.connector_class(type)
    if connector_class.live:
        live = _store_fields(connector_class, store_url=store_url, api_key=api_key)
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                workspace=workspace, type=type, name=name, stock_buffer=stock_buffer, **live
            )
            channel.locations.set(locations)
    except IntegrityError:
        raise _name_taken(name) from None
    return channel


def channel_update(
    *,
    channel: Channel,
    name: str | None = None,
    locations: Iterable[Location] | None = None,
    stock_buffer: int | None = None,
    store_url: str | None = None,
    api_key: str | None = None,
) -> Channel:
    """Change a channel's name, locations or buffer, or a live store's URL or key (checked
    against the store first, as at connect; a blank key keeps the stored one); its listings
    are synced after commit, since what they offer may have changed."""
    store = {}
    connector_class = registry.connector_class(channel.type)
    moved = store_url is not None and store_url.strip() != channel.store_url
    if connector_class.live and (moved or api_key):
        try:
            new_key = api_key or secret_decrypt(channel.credentials)
        except SecretUnreadable:
            raise ValidationError(
                {"api_key": ["Enter the store's secret API key again."]}
            ) from None
        store = {
            **_store_fields(
                connector_class,
                store_url=channel.store_url if store_url is None else store_url,
                api_key=new_key,
            ),
            # The store answered: whatever failed before is for the next sync to find again.
            "status": ChannelStatus.CONNECTED,
            "status_message": "",
            "failures": 0,
            "retry_after": None,
        }
    return _channel_update(
        channel=channel, name=name, locations=locations, stock_buffer=stock_buffer, store=store
    )


@transaction.atomic
def _channel_update(*, channel, name, locations, stock_buffer, store: dict) -> Channel:
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    for field, value in store.items():
        setattr(channel, field, value)
    new_locations = list(locations) if locations is not None else list(channel.locations.all())
    new_name = _clean_channel(
        channel.workspace,
        name=channel.name if name is None else name,
        locations=new_locations,
        stock_buffer=channel.stock_buffer if stock_buffer is None else stock_buffer,
    )
    if (
        new_name != channel.name
        and Channel.objects.filter(workspace_id=channel.workspace_id, name=new_name).exists()
    ):
        raise _name_taken(new_name)
    channel.name = new_name
    if stock_buffer is not None:
        channel.stock_buffer = stock_buffer
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise _name_taken(new_name) from None
    if locations is not None:
        channel.locations.set(new_locations)
    ids = list(channel.listings.values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: tasks.schedule_listings_sync(ids))
    return channel


def channel_credentials_reencrypt() -> tuple[int, list[int]]:
    """Every stored channel key written again under the newest encryption key (rotation);
    how many, and the ids of the channels whose key no configured key opens."""
    done, unreadable = 0, []
    for pk, ciphertext in Channel.objects.exclude(credentials="").values_list("pk", "credentials"):
        try:
            rotated = secret_reencrypt(ciphertext)
        except SecretUnreadable:
            unreadable.append(pk)
            continue
        # Only if unchanged meanwhile: a key replaced since was written under the newest key.
        done += Channel.objects.filter(pk=pk, credentials=ciphertext).update(credentials=rotated)
    return done, unreadable


# --- Listings ----------------------------------------------------------------------------------


@transaction.atomic
def listing_publish(*, channel: Channel, variant: Variant) -> Listing:
    """List ``variant`` on ``channel``: the listing starts ``pending`` and the sync, right
    after commit, publishes it through the channel's connector (which applies the
    marketplace's rules) and pushes its quantity."""
    if variant.workspace_id != channel.workspace_id:
        raise ValidationError({"variant_id": ["No variant with this id."]})
    if Listing.objects.filter(channel=channel, variant=variant).exists():
        raise AlreadyListed(f"{variant.sku} is already listed on {channel.name}.")
    _mark_has_listings(channel.workspace_id)
    try:
        with transaction.atomic():
            listing = Listing.objects.create(
                workspace_id=channel.workspace_id, channel=channel, variant=variant
            )
    except IntegrityError:  # a concurrent request listed it between the check and the insert
        raise AlreadyListed(f"{variant.sku} is already listed on {channel.name}.") from None
    transaction.on_commit(lambda: tasks.schedule_listings_sync([listing.pk]))
    return listing


def channel_sync_now(*, channel: Channel) -> int:
    """Queue a full sync of the channel's listings (every quantity pushed again) and, for a
    live store, a pull of its orders; how many listings."""
    ids = list(channel.listings.values_list("pk", flat=True))
    if registry.connector_class(channel.type).live:
        tasks.schedule_orders_pull(channel.pk)
    if ids:
        tasks.schedule_listings_sync(ids, force=True)
    return len(ids)
