using Assistiv.Platform.Budgets;
using Assistiv.Platform.Common;
using Assistiv.Platform.Keys;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tenancy;

/// <summary>
/// <c>POST P/bootstrap</c> (API.md §4.5): in one transaction, create or get the end user by <c>external_id</c>, mint a
/// key, create a budget if none exists and a rate-limit override if none exists. An existing budget or override is
/// left untouched and returned as is; an inactive user gets nothing minted.
/// </summary>
public sealed class EndUserBootstrapService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly ApiKeyService _keys;
    private readonly BudgetService _budgets;

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="keys">Key service.</param>
    /// <param name="budgets">Budget service (reads an existing budget with its lazy period reset).</param>
    public EndUserBootstrapService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, ApiKeyService keys, BudgetService budgets)
    {
        _db = db;
        _time = time;
        _keys = keys;
        _budgets = budgets;
    }

    /// <summary>Runs the bootstrap. A concurrent call for the same user loses on a unique index and is retried once.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="request">Validated fields.</param>
    /// <param name="requestId">The request id, written on the budget's opening ledger row.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<BootstrapResult> BootstrapAsync(Guid platformId, BootstrapRequest request, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await BootstrapOnceAsync(platformId, request, requestId, cancellationToken);
            }
            catch (DbUpdateException ex) when (attempt == 0 && DbErrors.IsUniqueViolation(ex))
            {
                // Lost a race (external_id, the active budget or the override): the next round sees the winner's rows.
            }
        }
    }

    private async Task<BootstrapResult> BootstrapOnceAsync(Guid platformId, BootstrapRequest request, string? requestId, CancellationToken cancellationToken)
    {
        BudgetRecord? budget;
        bool budgetExisted;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var now = _time.UtcNowMs();
            var user = await db.EndUsers.FirstOrDefaultAsync(u => u.PlatformId == platformId && u.ExternalId == request.ExternalId && u.DeletedAt == null, cancellationToken);
            var created = user is null;
            if (user is null)
            {
                user = new EndUserRecord
                {
                    Id = Ids.NewId(_time),
                    PlatformId = platformId,
                    ExternalId = request.ExternalId,
                    DisplayName = request.DisplayName,
                    MetadataJson = request.MetadataJson ?? "{}",
                    IsActive = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.EndUsers.Add(user);
            }
            else if (!user.IsActive)
            {
                return new BootstrapResult(user, Created: false, Inactive: true, null, null, null, null);
            }

            if (request.RotateKeys && !created)
            {
                await _keys.RevokeEndUserKeysAsync(db, user.Id, keep: null, cancellationToken);
            }
            else if (!created)
            {
                await _keys.RevokeOverflowAsync(db, user.Id, cancellationToken);
            }

            var (key, raw) = _keys.AddKey(db, platformId, ApiKeyType.EndUser, user.Id, null, "inference", null, null);

            budget = created ? null : await db.Budgets.AsNoTracking().FirstOrDefaultAsync(b => b.EndUserId == user.Id && b.IsActive, cancellationToken);
            budgetExisted = budget is not null;
            if (budget is null)
            {
                // API.md §4.5: default_budget when given; otherwise the §4.4 rule (a new user gets the platform's
                // default_budget_usd as a monthly budget). decisions/0065-bootstrap.md
                var settings = request.DefaultBudget;
                if (settings is null && created
                    && await db.Platforms.Where(p => p.Id == platformId).Select(p => p.DefaultBudgetMicros).FirstOrDefaultAsync(cancellationToken) is { } max)
                {
                    settings = new BudgetSettings(max, BudgetPeriods.Monthly, false, null, null);
                }

                if (settings is not null)
                {
                    budget = BudgetService.AddBudget(db, user, settings, _time, requestId).Budget;
                }
            }

            var limits = created ? null : await db.EndUserRateLimits.AsNoTracking().FirstOrDefaultAsync(r => r.EndUserId == user.Id, cancellationToken);
            if (limits is null && request.DefaultRateLimit is { IsEmpty: false } set)
            {
                limits = new EndUserRateLimitRecord
                {
                    EndUserId = user.Id,
                    PlatformId = platformId,
                    RpmLimit = set.RpmLimit,
                    TpmLimit = set.TpmLimit,
                    RpdLimit = set.RpdLimit,
                    UpdatedAt = now,
                };
                db.EndUserRateLimits.Add(limits);
            }

            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            if (!created)
            {
                _keys.InvalidateEndUser(user.Id);
            }

            var stored = limits is null ? null : new StoredRateLimits(new RateLimitSet(limits.RpmLimit, limits.TpmLimit, limits.RpdLimit), limits.UpdatedAt);
            if (budgetExisted)
            {
                // An existing budget is returned as a read would show it (API.md §5.3: a read applies the lazy reset).
                budget = await _budgets.GetActiveAsync(platformId, user.Id, requestId, cancellationToken) ?? budget;
            }

            return new BootstrapResult(user, created, Inactive: false, key, raw, budget, stored);
        }
    }
}

/// <summary>The validated fields of <c>POST P/bootstrap</c> (API.md §4.5).</summary>
/// <param name="ExternalId">The platform's user id.</param>
/// <param name="DisplayName">Used only when the user is created.</param>
/// <param name="MetadataJson">Metadata object JSON, used only when the user is created.</param>
/// <param name="DefaultBudget">Budget to create when the user has none, or null.</param>
/// <param name="DefaultRateLimit">Override to create when the user has none, or null.</param>
/// <param name="RotateKeys">Revoke the user's other active keys.</param>
public sealed record BootstrapRequest(string ExternalId, string? DisplayName, string? MetadataJson, BudgetSettings? DefaultBudget,
    RateLimitSet? DefaultRateLimit, bool RotateKeys);

/// <summary>Outcome of <see cref="EndUserBootstrapService.BootstrapAsync"/>.</summary>
/// <param name="User">The end user.</param>
/// <param name="Created">True when the user was created (201), false when it existed (200).</param>
/// <param name="Inactive">The existing user is inactive: nothing was written (409 <c>conflict</c>).</param>
/// <param name="Key">The minted key row.</param>
/// <param name="RawKey">The raw key, shown once.</param>
/// <param name="Budget">The user's active budget after the call, or null.</param>
/// <param name="RateLimit">The user's override after the call, or null.</param>
public sealed record BootstrapResult(EndUserRecord User, bool Created, bool Inactive, ApiKeyRecord? Key, string? RawKey, BudgetRecord? Budget,
    StoredRateLimits? RateLimit);
