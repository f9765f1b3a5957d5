using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assistiv.Platform.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "connect_tokens",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    elicitation_id = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_connect_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "holds",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    wallet_id = table.Column<string>(type: "TEXT", nullable: false),
                    budget_id = table.Column<string>(type: "TEXT", nullable: true),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    api_key_id = table.Column<string>(type: "TEXT", nullable: true),
                    request_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    request_type = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: true),
                    mcp_app = table.Column<string>(type: "TEXT", nullable: true),
                    mcp_tool = table.Column<string>(type: "TEXT", nullable: true),
                    wallet_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    budget_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    instance_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_holds", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    lease_token = table.Column<string>(type: "TEXT", nullable: true),
                    lease_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    body_protected = table.Column<byte[]>(type: "BLOB", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "mcp_free_tier",
                columns: table => new
                {
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    month = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    settled_free = table.Column<long>(type: "INTEGER", nullable: false),
                    claimed_free = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mcp_free_tier", x => new { x.platform_id, x.month });
                });

            migrationBuilder.CreateTable(
                name: "oauth_states",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    state_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    code_verifier_protected = table.Column<string>(type: "TEXT", nullable: true),
                    subdomain = table.Column<string>(type: "TEXT", nullable: true),
                    elicitation_id = table.Column<string>(type: "TEXT", nullable: true),
                    cookie_nonce_hash = table.Column<string>(type: "TEXT", nullable: true),
                    redirect_base_url = table.Column<string>(type: "TEXT", nullable: true),
                    scopes_json = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oauth_states", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    event_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    message_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "platforms",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    slug = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    default_budget_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    markup_percentage = table.Column<decimal>(type: "TEXT", precision: 9, scale: 4, nullable: false),
                    tool_policy_json = table.Column<string>(type: "TEXT", nullable: true),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platforms", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "usage_logs",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    api_key_id = table.Column<string>(type: "TEXT", nullable: true),
                    request_type = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: true),
                    provider_id = table.Column<string>(type: "TEXT", nullable: true),
                    llm_config_id = table.Column<string>(type: "TEXT", nullable: true),
                    provider_model_id = table.Column<string>(type: "TEXT", nullable: true),
                    prompt_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    completion_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    total_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    cached_tokens = table.Column<int>(type: "INTEGER", nullable: true),
                    latency_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    time_to_first_token_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    stream = table.Column<bool>(type: "INTEGER", nullable: false),
                    estimated_cost_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    billed_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    http_status = table.Column<int>(type: "INTEGER", nullable: true),
                    error_code = table.Column<string>(type: "TEXT", nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    token_count_method = table.Column<string>(type: "TEXT", nullable: true),
                    billing_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    response_id = table.Column<string>(type: "TEXT", nullable: true),
                    mcp_app = table.Column<string>(type: "TEXT", nullable: true),
                    mcp_tool = table.Column<string>(type: "TEXT", nullable: true),
                    fallback_count = table.Column<int>(type: "INTEGER", nullable: false),
                    metadata_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_logs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "end_users",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    external_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    metadata_json = table.Column<string>(type: "TEXT", nullable: false),
                    tool_policy_json = table.Column<string>(type: "TEXT", nullable: true),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_end_users", x => x.id);
                    table.ForeignKey(
                        name: "fk_end_users_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "llm_configs",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    is_default = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    models_json = table.Column<string>(type: "TEXT", nullable: true),
                    api_key_protected = table.Column<string>(type: "TEXT", nullable: true),
                    api_key_hint = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    last_error_json = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_llm_configs", x => x.id);
                    table.ForeignKey(
                        name: "fk_llm_configs_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "mcp_apps",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    client_id = table.Column<string>(type: "TEXT", nullable: false),
                    client_secret_protected = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_base_url = table.Column<string>(type: "TEXT", nullable: false),
                    scopes_json = table.Column<string>(type: "TEXT", nullable: true),
                    settings_json = table.Column<string>(type: "TEXT", nullable: false),
                    activated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mcp_apps", x => x.id);
                    table.ForeignKey(
                        name: "fk_mcp_apps_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "platform_rate_limits",
                columns: table => new
                {
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    rpm_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    tpm_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    rpd_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_rate_limits", x => x.platform_id);
                    table.ForeignKey(
                        name: "fk_platform_rate_limits_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "wallets",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    balance_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    low_balance_threshold_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    low_balance_armed = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wallets", x => x.id);
                    table.ForeignKey(
                        name: "fk_wallets_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<int>(type: "INTEGER", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    key_prefix = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    scopes = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    tool_policy_json = table.Column<string>(type: "TEXT", nullable: true),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_end_users_end_user_id",
                        column: x => x.end_user_id,
                        principalTable: "end_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_api_keys_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "budgets",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    external_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    max_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    used_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    period_start = table.Column<long>(type: "INTEGER", nullable: false),
                    period_end = table.Column<long>(type: "INTEGER", nullable: true),
                    auto_replenish = table.Column<bool>(type: "INTEGER", nullable: false),
                    replenish_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    low_balance_threshold_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    low_balance_armed = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_suspended = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deactivated_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_budgets", x => x.id);
                    table.ForeignKey(
                        name: "fk_budgets_end_users_end_user_id",
                        column: x => x.end_user_id,
                        principalTable: "end_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_budgets_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "connections",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    account_label = table.Column<string>(type: "TEXT", nullable: true),
                    granted_scopes_json = table.Column<string>(type: "TEXT", nullable: false),
                    settings_json = table.Column<string>(type: "TEXT", nullable: false),
                    tokens_protected = table.Column<string>(type: "TEXT", nullable: true),
                    token_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    token_version = table.Column<long>(type: "INTEGER", nullable: false),
                    client_id = table.Column<string>(type: "TEXT", nullable: false),
                    connected_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_refreshed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error_json = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_connections", x => x.id);
                    table.ForeignKey(
                        name: "fk_connections_end_users_end_user_id",
                        column: x => x.end_user_id,
                        principalTable: "end_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_connections_platforms_platform_id",
                        column: x => x.platform_id,
                        principalTable: "platforms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "end_user_rate_limits",
                columns: table => new
                {
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    rpm_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    tpm_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    rpd_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_end_user_rate_limits", x => x.end_user_id);
                    table.ForeignKey(
                        name: "fk_end_user_rate_limits_end_users_end_user_id",
                        column: x => x.end_user_id,
                        principalTable: "end_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "wallet_transactions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    wallet_id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    direction = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    amount_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    balance_after_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    request_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    metadata_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wallet_transactions", x => x.id);
                    table.ForeignKey(
                        name: "fk_wallet_transactions_wallets_wallet_id",
                        column: x => x.wallet_id,
                        principalTable: "wallets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "budget_transactions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    budget_id = table.Column<string>(type: "TEXT", nullable: false),
                    platform_id = table.Column<string>(type: "TEXT", nullable: false),
                    end_user_id = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    direction = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    amount_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    max_after_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    used_after_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    metadata_json = table.Column<string>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_budget_transactions", x => x.id);
                    table.ForeignKey(
                        name: "fk_budget_transactions_budgets_budget_id",
                        column: x => x.budget_id,
                        principalTable: "budgets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_end_user_id_is_active",
                table: "api_keys",
                columns: new[] { "end_user_id", "is_active" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_key_hash",
                table: "api_keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_platform_id_type_created_at",
                table: "api_keys",
                columns: new[] { "platform_id", "type", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_budget_transactions_budget_id_created_at_id",
                table: "budget_transactions",
                columns: new[] { "budget_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_budgets_end_user_id",
                table: "budgets",
                column: "end_user_id",
                unique: true,
                filter: "is_active");

            migrationBuilder.CreateIndex(
                name: "ix_budgets_end_user_id_created_at",
                table: "budgets",
                columns: new[] { "end_user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_budgets_is_active_period_end",
                table: "budgets",
                columns: new[] { "is_active", "period_end" });

            migrationBuilder.CreateIndex(
                name: "ix_budgets_platform_id",
                table: "budgets",
                column: "platform_id");

            migrationBuilder.CreateIndex(
                name: "ix_connect_tokens_expires_at",
                table: "connect_tokens",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_connect_tokens_token_hash",
                table: "connect_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_connections_end_user_id",
                table: "connections",
                column: "end_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_connections_platform_id_app_status",
                table: "connections",
                columns: new[] { "platform_id", "app", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_connections_platform_id_end_user_id_app",
                table: "connections",
                columns: new[] { "platform_id", "end_user_id", "app" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_end_user_rate_limits_platform_id",
                table: "end_user_rate_limits",
                column: "platform_id");

            migrationBuilder.CreateIndex(
                name: "ix_end_users_platform_id_created_at_id",
                table: "end_users",
                columns: new[] { "platform_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_end_users_platform_id_external_id",
                table: "end_users",
                columns: new[] { "platform_id", "external_id" },
                unique: true,
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_created_at",
                table: "idempotency_records",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_platform_id_method_path_idempotency_key",
                table: "idempotency_records",
                columns: new[] { "platform_id", "method", "path", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_llm_configs_platform_id_created_at_id",
                table: "llm_configs",
                columns: new[] { "platform_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_mcp_apps_platform_id_app",
                table: "mcp_apps",
                columns: new[] { "platform_id", "app" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oauth_states_expires_at",
                table: "oauth_states",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_oauth_states_state_hash",
                table: "oauth_states",
                column: "state_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_event_id",
                table: "outbox_events",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_platforms_slug",
                table: "platforms",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_usage_logs_platform_id_created_at_id",
                table: "usage_logs",
                columns: new[] { "platform_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_logs_platform_id_end_user_id_created_at_id",
                table: "usage_logs",
                columns: new[] { "platform_id", "end_user_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_logs_request_id",
                table: "usage_logs",
                column: "request_id");

            migrationBuilder.CreateIndex(
                name: "ix_wallet_transactions_wallet_id_created_at_id",
                table: "wallet_transactions",
                columns: new[] { "wallet_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_wallets_platform_id",
                table: "wallets",
                column: "platform_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "budget_transactions");

            migrationBuilder.DropTable(
                name: "connect_tokens");

            migrationBuilder.DropTable(
                name: "connections");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "end_user_rate_limits");

            migrationBuilder.DropTable(
                name: "holds");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "llm_configs");

            migrationBuilder.DropTable(
                name: "mcp_apps");

            migrationBuilder.DropTable(
                name: "mcp_free_tier");

            migrationBuilder.DropTable(
                name: "oauth_states");

            migrationBuilder.DropTable(
                name: "outbox_events");

            migrationBuilder.DropTable(
                name: "platform_rate_limits");

            migrationBuilder.DropTable(
                name: "usage_logs");

            migrationBuilder.DropTable(
                name: "wallet_transactions");

            migrationBuilder.DropTable(
                name: "budgets");

            migrationBuilder.DropTable(
                name: "wallets");

            migrationBuilder.DropTable(
                name: "end_users");

            migrationBuilder.DropTable(
                name: "platforms");
        }
    }
}
