"""Secrets stored encrypted (core.crypto): only the configured keys read them back, a changed
byte is refused, and rotation re-encrypts under the newest key while the old one still reads."""

import pytest
from cryptography.fernet import Fernet

from core.crypto import SecretUnreadable, secret_decrypt, secret_encrypt, secret_reencrypt

SECRET = "sk_2d7c3e0f9b1a4c6d8e0f2a4b6c8d0e1f"


def test_a_secret_reads_back_and_its_ciphertext_does_not_contain_it():
    ciphertext = secret_encrypt(SECRET)

    assert SECRET not in ciphertext
    assert secret_encrypt(SECRET) != ciphertext  # a fresh IV each time
    assert secret_decrypt(ciphertext) == SECRET


def test_another_key_cannot_read_it(settings):
    ciphertext = secret_encrypt(SECRET)
    settings.SALYNC_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SecretUnreadable) as refused:
        secret_decrypt(ciphertext)
    assert SECRET not in str(refused.value)


def test_a_changed_byte_is_refused():
    ciphertext = secret_encrypt(SECRET)
    middle = len(ciphertext) // 2
    altered = (
        ciphertext[:middle] + ("A" if ciphertext[middle] != "A" else "B") + ciphertext[middle + 1 :]
    )

    with pytest.raises(SecretUnreadable):
        secret_decrypt(altered)


def test_rotation_keeps_old_secrets_readable_and_moves_them_to_the_new_key(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SALYNC_ENCRYPTION_KEYS = [old_key]
    written_before = secret_encrypt(SECRET)

    settings.SALYNC_ENCRYPTION_KEYS = [new_key, old_key]
    assert secret_decrypt(written_before) == SECRET
    rotated = secret_reencrypt(written_before)

    settings.SALYNC_ENCRYPTION_KEYS = [new_key]
    assert secret_decrypt(rotated) == SECRET
    with pytest.raises(SecretUnreadable):
        secret_decrypt(written_before)


@pytest.mark.django_db
def test_reencrypt_channel_keys_moves_every_stored_key_to_the_newest(settings):
    from django.core.management import call_command

    from accounts.models import Workspace
    from saleschannels.models import Channel
    from tests.factories import make_workspace

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SALYNC_ENCRYPTION_KEYS = [old_key]
    workspace: Workspace = make_workspace("Rotating Co")
    channel = Channel.objects.create(
        workspace=workspace, type="medusa", name="Shop", credentials=secret_encrypt(SECRET)
    )
    settings.SALYNC_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("reencrypt_channel_keys")

    settings.SALYNC_ENCRYPTION_KEYS = [new_key]
    channel.refresh_from_db()
    assert secret_decrypt(channel.credentials) == SECRET
