/* vm_risk.h: the Nomos v1 risk flags (spec §2.5) as one X-macro list.
 * The runtime derives them from each action (runtime/rt_action.c), the
 * compiler maps a rule's risk_flags to the same bits, and images store the
 * masks, so a flag's bit is part of the image format: never renumber. */
#ifndef NOMOS_VM_RISK_H
#define NOMOS_VM_RISK_H

/* X(NAME, BIT, "text"): mask = 1u << BIT; text is the lower-case flag name a
 * rule writes (rules are lower-cased before lookup; an unknown name makes the
 * rule unmatchable upstream). risk.high_fanout is never produced by an action
 * (upstream never sets TraceActionCount) but rules may name it. */
#define VM_RISK_FLAGS(X)                      \
	X(EXEC, 0, "risk.exec")               \
	X(NET, 1, "risk.net")                 \
	X(WRITE, 2, "risk.write")             \
	X(SECRETS, 3, "risk.secrets")         \
	X(LARGE_IO, 4, "risk.large_io")       \
	X(HIGH_FANOUT, 5, "risk.high_fanout")

#endif
