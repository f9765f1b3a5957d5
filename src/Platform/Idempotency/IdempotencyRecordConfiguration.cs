using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Idempotency;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_records");
        b.HasKey(x => x.Id);
        b.Property(x => x.Method).HasMaxLength(10).IsRequired();
        b.Property(x => x.Path).HasMaxLength(IdempotencyStore.MaxPathLength).IsRequired();
        b.Property(x => x.IdempotencyKey).HasMaxLength(255).IsRequired();
        b.Property(x => x.Fingerprint).HasMaxLength(64).IsRequired();
        b.Property(x => x.State).HasMaxLength(16).IsRequired();
        b.Property(x => x.ContentType).HasMaxLength(200);
        // STYLE.md §5: the unique index is what makes a concurrent duplicate fail instead of racing.
        b.HasIndex(x => new { x.PlatformId, x.Method, x.Path, x.IdempotencyKey }).IsUnique();
        b.HasIndex(x => x.CreatedAt);
    }
}
