"""YAML profiles for cfgo-tui: lookup, `${VAR}` interpolation, validation with file:line errors,
typed models and factories for clients. Headless: no Textual, no Rich.

Typical use (a command or the app)::

    profile = load_profile(args.profile, config=args.config, overrides={"url": args.url})
    client = make_client(profile)            # cfgo_tui.config.factory
    api = make_api(profile)                  # None when the profile has no API key

Precedence for every value: CLI flag (`overrides`) > profile > built-in default.
"""

from cfgo_tui.config.errors import ConfigError
from cfgo_tui.config.load import (
    DEFAULT_PROFILE_NAME,
    apply_overrides,
    load_config,
    load_profile,
    select_profile,
)
from cfgo_tui.config.locate import ENV_VAR, Location, locate_config, user_config_file
from cfgo_tui.config.models import (
    ApiSettings,
    Auth,
    ChannelSpec,
    CommandAuth,
    Config,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubscriptionTokens,
    SubTokenEndpoint,
    SubTokenHmac,
    TlsSettings,
    TokenAuth,
)
from cfgo_tui.config.redact import REDACTED, profile_to_dict
from cfgo_tui.config.validate import derive_api_url

__all__ = [
    "DEFAULT_PROFILE_NAME",
    "ENV_VAR",
    "REDACTED",
    "ApiSettings",
    "Auth",
    "ChannelSpec",
    "CommandAuth",
    "Config",
    "ConfigError",
    "EndpointAuth",
    "EnvAuth",
    "HmacAuth",
    "Location",
    "Profile",
    "SubTokenEndpoint",
    "SubTokenHmac",
    "SubscriptionTokens",
    "TlsSettings",
    "TokenAuth",
    "apply_overrides",
    "derive_api_url",
    "load_config",
    "load_profile",
    "locate_config",
    "profile_to_dict",
    "select_profile",
    "user_config_file",
]
