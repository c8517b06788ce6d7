"""Thin Celery tasks for contacts. Services never import this module."""

import logging

from celery import shared_task

from contacts.retention import consent_ip_hashes_forget

log = logging.getLogger(__name__)


@shared_task
def forget_consent_ip_hashes() -> int:
    forgotten = consent_ip_hashes_forget()
    log.info("retention contacts consent_ip_hashes_blanked=%d", forgotten)
    return forgotten
