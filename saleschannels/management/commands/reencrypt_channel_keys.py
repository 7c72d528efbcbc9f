"""``manage.py reencrypt_channel_keys``: after a new key is put first in SALYNC_ENCRYPTION_KEY,
write every live channel's stored API key again under it; then the old key can be dropped."""

from django.core.management.base import BaseCommand, CommandError

from saleschannels.services import channel_credentials_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every live channel's stored API key under the newest encryption key."

    def handle(self, *args, **options):
        done, unreadable = channel_credentials_reencrypt()
        self.stdout.write(f"Re-encrypted {done} channel key(s).")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} channel key(s) could not be decrypted with any configured "
                f"key (channel ids {', '.join(map(str, unreadable))}): connect them again."
            )
