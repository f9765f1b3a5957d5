using Assistiv.Platform.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEventRecord>
{
    public void Configure(EntityTypeBuilder<OutboxEventRecord> b)
    {
        b.ToTable("outbox_events");
        b.HasKey(x => x.Id);
        b.Property(x => x.EventId).HasMaxLength(80).IsRequired();
        b.HasIndex(x => x.EventId).IsUnique();
        b.Property(x => x.EventType).HasMaxLength(40).IsRequired();
        b.Property(x => x.MessageId).HasMaxLength(40).IsRequired();
        b.Property(x => x.Payload).IsRequired();
    }
}
