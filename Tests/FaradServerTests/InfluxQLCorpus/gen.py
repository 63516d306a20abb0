# The differential test's data: `python3 gen.py` writes data.lp (seeded: the same every run).
import random
random.seed(42)
T0 = 1700000000000000000
MS = 1000000
END = T0 + 3*3600*1000*MS
lines = []
def ts(t): 
    assert t % MS == 0
    return str(t)
notes = ["ok", "high load", "restart", "maint window", "alert \"cpu\"", "a,b c=d"]
def esc_str(s): return s.replace('\\','\\\\').replace('"','\\"')
# cpu: hosts a,b,c; regions: a->east, b->west, c->east and west (two series)
series = [("a","east"),("b","west"),("c","east"),("c","west")]
for host, region in series:
    t = T0 + random.randint(0,5000)*MS
    while t < END and True:
        f = []
        r = random.random()
        if r < 0.9 or True:
            if random.random() < 0.95: f.append("usage_user=%s" % repr(round(random.uniform(0,100), random.choice([1,2,3,6]))))
            if random.random() < 0.9: f.append("usage_system=%s" % repr(round(random.uniform(0,30), random.choice([1,2,4]))))
            if random.random() < 0.9: f.append("idle=%di" % random.randint(0,100))
            if random.random() < 0.8: f.append("up=%s" % random.choice(["true","false","t","F"]))
            if random.random() < 0.05: f.append('note="%s"' % esc_str(random.choice(notes)))
        if not f: f.append("idle=%di" % random.randint(0,100))
        lines.append("cpu,host=%s,region=%s %s %s" % (host, region, ",".join(f), ts(t)))
        t += (random.randint(7000, 13000) + random.choice([0,0,0,123,456]))*MS * 4
for host in "abc":
    t = T0 + random.randint(0,9000)*MS
    while t < END:
        f = []
        if random.random() < 0.95: f.append("free=%di" % random.randint(10**8, 8*10**9))
        if random.random() < 0.9: f.append("used_percent=%s" % repr(round(random.uniform(10,95), 3)))
        if not f: f.append("free=%di" % random.randint(10**8, 8*10**9))
        lines.append("mem,host=%s %s %s" % (host, ",".join(f), ts(t)))
        t += random.randint(50000, 70000)*MS
for host in "ab":
    for path in ["/", "/var", "/data"]:
        t = T0 + random.randint(0,20000)*MS
        used = random.randint(10**9, 10**11)
        while t < END:
            used += random.randint(-10**6, 10**7)
            lines.append("disk,host=%s,path=%s used=%di %s" % (host, path, used, ts(t)))
            t += random.randint(250000, 350000)*MS
t = T0
while t < END:
    lines.append("weird.name v=%s %s" % (repr(round(random.gauss(0,1),4)), ts(t)))
    t += random.randint(50000, 70000)*MS
random.shuffle(lines)
open("data.lp","w").write("\n".join(lines)+"\n")
print(len(lines))
